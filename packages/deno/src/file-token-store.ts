import { CodexError, isCodexError, type StoredToken, type TokenStore } from '@codex/core';
import { currentUid, ownershipProblem, untrustedCache } from './cache-ownership.ts';
import { readEnvIfAllowed } from './permissions.ts';

/**
 * The user's cache directory for Codex tokens: CODEX_CACHE_DIR, else XDG_CACHE_HOME or
 * ~/.cache on Linux, ~/Library/Caches on macOS, LOCALAPPDATA on Windows (each variable read only
 * when --allow-env permits). Without any of them it throws a CodexError naming the flag to add:
 * it never falls back to the working directory, which would put token files into a project
 * checkout (issue 9, item 15).
 */
export function defaultCacheDir(): string {
  const override = readEnvIfAllowed('CODEX_CACHE_DIR');
  if (override) return override;
  const os = Deno.build.os;
  if (os === 'windows') {
    const local = readEnvIfAllowed('LOCALAPPDATA');
    if (local) return `${local}/codex/Cache/tokens`;
  } else if (os !== 'darwin') {
    const xdg = readEnvIfAllowed('XDG_CACHE_HOME');
    if (xdg) return `${xdg}/codex/tokens`;
  }
  const home = os === 'windows' ? readEnvIfAllowed('USERPROFILE') : readEnvIfAllowed('HOME');
  if (home) {
    if (os === 'darwin') return `${home}/Library/Caches/codex/tokens`;
    if (os === 'windows') return `${home}/AppData/Local/codex/Cache/tokens`;
    return `${home}/.cache/codex/tokens`;
  }
  const homeVariable = os === 'windows' ? 'LOCALAPPDATA' : 'HOME';
  throw new CodexError(
    `The Codex file token cache needs the user's cache directory, but ${homeVariable} is not set or not allowed: run deno with --allow-env=${homeVariable} (or set CODEX_CACHE_DIR and run with --allow-env=CODEX_CACHE_DIR), or pass a directory: tokenStore: fileTokenStore('/path/to/dir'). The working directory is never used: token files do not belong in a project checkout.`,
    { code: 'missing_permission' },
  );
}

async function fileName(dir: string, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  const hex = Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${dir}/${hex}.json`;
}

/**
 * Tokens in files, like @codex/node's: one 0600 file per key in a 0700 directory, written to a
 * temporary file and renamed, so concurrent processes never see a partial token. Needs
 * --allow-read and --allow-write for the directory, and --allow-sys=uid.
 * - Only this user's own cache is used (issue 18, item 1; as OpenSSH does with ~/.ssh): the
 *   directory and the token file must belong to this user (Deno.uid(), hence --allow-sys=uid), be
 *   writable by no one else, and not be symbolic links (Deno.lstat; Deno.open has no O_NOFOLLOW,
 *   so the file opened must be the one checked). Otherwise get, set and delete throw a CodexError
 *   (`token_store_failed`) that names the problem, and nothing is read from or written to it: a
 *   token planted by another user is never sent, and ours never lands where they can read it. A
 *   directory that does not exist yet is created 0700. Not on Windows (no POSIX owners or modes).
 * - A file of this user's that others could read, or that does not parse, is ignored (and replaced
 *   by the next token).
 * - Best effort (issue 9, item 15): when the directory cannot be used (no permission, not a
 *   directory, read-only, refused as above), get, set and delete throw a CodexError that says what
 *   to do (the flag to add, for a missing permission) and never holds file contents or tokens; the
 *   Client then keeps tokens in memory and reports it once through `logger.warn`.
 */
export function fileTokenStore(dir: string = defaultCacheDir()): TokenStore {
  // One store object per directory, so every Client of a key in this process shares one token.
  let store = stores.get(dir);
  if (!store) {
    store = createFileTokenStore(dir);
    stores.set(dir, store);
  }
  return store;
}

const stores = new Map<string, TokenStore>();

const ACTIONS = {
  read: ['Reading', 'read'],
  write: ['Writing', 'write'],
  delete: ['Deleting a token from', 'delete a token from'],
} as const;

/**
 * A store failure as the user should read it. A missing Deno permission (NotCapable; an OS-level
 * EACCES is PermissionDenied with a code) names the flags; other errors keep only their code and
 * Deno's description (`Not a directory (os error 20): mkdir '…'`), never any content.
 */
function cacheError(action: keyof typeof ACTIONS, dir: string, error: unknown): CodexError {
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const [doing, verb] = ACTIONS[action];
  if (name === 'NotCapable' || (name === 'PermissionDenied' && code === undefined)) {
    return new CodexError(
      `${doing} the Codex token cache in ${dir} needs permission: run deno with --allow-read=${dir} --allow-write=${dir}, or use tokenStore: 'memory'. Tokens are kept in memory only.`,
      { cause: error, code: 'missing_permission' },
    );
  }
  const description = typeof message === 'string' ? /^([^(:]+) \(os error \d+\)/.exec(message)?.[1] : undefined;
  const text = description && `${description[0]?.toLowerCase()}${description.slice(1)}`;
  const reason = typeof code === 'string' ? `${code}${text ? ` (${text})` : ''}` : String(name ?? 'unknown error');
  return new CodexError(
    `Could not ${verb} the Codex token cache in ${dir}: ${reason}. Tokens are kept in memory only; use a directory this user can read and write (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
    { cause: error, code: 'token_store_failed' },
  );
}

const isNotFound = (error: unknown) => error instanceof Deno.errors.NotFound;

/** Throws unless `info` (Deno.lstat of `path`) is this user's own; uid null (Windows): nothing to check. */
function checkOwner(dir: string, path: string, info: Deno.FileInfo, kind: 'directory' | 'file', uid: number | null) {
  const problem = uid === null ? undefined : ownershipProblem(info, kind, uid);
  if (problem) throw untrustedCache(dir, path, problem);
}

/** What is left of an open file, as text (a token file: small). */
async function readText(file: Deno.FsFile): Promise<string> {
  const decoder = new TextDecoder();
  const chunk = new Uint8Array(4096);
  let text = '';
  for (let read = await file.read(chunk); read !== null; read = await file.read(chunk))
    text += decoder.decode(chunk.subarray(0, read), { stream: true });
  return text + decoder.decode();
}

function createFileTokenStore(dir: string): TokenStore {
  return {
    async get(key) {
      const file = await fileName(dir, key);
      let text: string;
      try {
        // The directory first: without --allow-read, that error names the flags.
        const directory = await Deno.lstat(dir);
        const uid = currentUid(dir);
        checkOwner(dir, dir, directory, 'directory', uid);
        const info = await Deno.lstat(file);
        checkOwner(dir, file, info, 'file', uid);
        // Our own, but others may have read it: not used, and replaced by the next token.
        if (uid !== null && info.mode !== null && (info.mode & 0o077) !== 0) return undefined;
        const handle = await Deno.open(file, { read: true });
        try {
          // No O_NOFOLLOW in Deno: the file opened must be the one checked, not a link put in its place since.
          const opened = await handle.stat();
          if (uid !== null && (opened.dev !== info.dev || opened.ino !== info.ino))
            throw untrustedCache(dir, file, 'was replaced while it was read');
          text = await readText(handle);
        } finally {
          handle.close();
        }
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw isCodexError(error) ? error : cacheError('read', dir, error);
      }
      try {
        const token = JSON.parse(text) as StoredToken;
        return typeof token.accessToken === 'string' && Number.isFinite(token.expiresAt) ? token : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      const file = await fileName(dir, key);
      const temp = `${file}.${crypto.randomUUID()}.tmp`;
      try {
        await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
        checkOwner(dir, dir, await Deno.lstat(dir), 'directory', currentUid(dir));
        // createNew (O_EXCL) creates a new file, never following a symbolic link.
        await Deno.writeTextFile(temp, JSON.stringify(token), { mode: 0o600, createNew: true });
        if (Deno.build.os !== 'windows') await Deno.chmod(temp, 0o600);
        await Deno.rename(temp, file);
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw isCodexError(error) ? error : cacheError('write', dir, error);
      }
    },
    async delete(key) {
      try {
        const directory = await Deno.lstat(dir);
        checkOwner(dir, dir, directory, 'directory', currentUid(dir));
        await Deno.remove(await fileName(dir, key));
      } catch (error) {
        if (isNotFound(error)) return;
        throw isCodexError(error) ? error : cacheError('delete', dir, error);
      }
    },
  };
}
