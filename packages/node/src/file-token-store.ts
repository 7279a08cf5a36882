import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CodexError,
  isCodexError,
  type RefreshLock,
  RefreshLockBusy,
  refreshThroughStore,
  type StoredToken,
  type TokenStore,
} from '@codex/core';
import { ownershipProblem, untrustedCache } from './cache-ownership';
import type { Env } from './credentials';
import { takeLockFile } from './lock-file';

/** The user's cache directory for Codex tokens (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows). */
export function defaultCacheDir(env: Env = process.env): string {
  if (env.CODEX_CACHE_DIR) return env.CODEX_CACHE_DIR;
  const home = env.HOME || homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'codex', 'tokens');
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'codex', 'Cache', 'tokens');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'codex', 'tokens');
}

/**
 * Tokens in files, so short-lived processes (CLIs, cron jobs) reuse a valid token instead of
 * requesting one at every start.
 * - One file per key (a hash of the key), mode 0600 in a 0700 directory.
 * - Written atomically: a temporary file, then rename; readers see the old token or the new one.
 * - Safe with several processes: no read-modify-write of shared files; the last writer wins, and
 *   every token written is valid.
 * - A file that others could read, or that does not parse, is ignored (and replaced by the next token).
 * - Only this user's own cache is used (issue 18, item 1; as OpenSSH does with ~/.ssh): the
 *   directory and the token file must belong to this user (effective uid), be writable by no one
 *   else, and not be symbolic links (lstat; files are opened with O_NOFOLLOW). Otherwise get, set
 *   and delete throw a CodexError (`token_store_failed`) that names the problem, and nothing is read
 *   from or written to it: a token planted by another user is never sent, and ours never lands
 *   where they can read it. A directory that does not exist yet is created 0700. Not on Windows,
 *   which has no POSIX owners or modes.
 * - Best effort (issue 9, item 15): a directory that cannot be read or written, or is refused as
 *   above, makes get, set and delete throw a CodexError that says what to do, and never holds file
 *   contents or tokens; the Client then keeps tokens in memory and reports it once through
 *   `logger.warn`. The refresh lock is then not taken either.
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

const locks = new WeakMap<TokenStore, RefreshLock>();

/**
 * What a Client with a file token store passes as `coordinateRefresh`, so that the processes of a
 * machine share one token (core's refreshThroughStore with the key's lock file): a refresh holds
 * the lock, reads the file first, takes a token another process wrote, and otherwise fetches one
 * and writes it before letting go. undefined for stores that are not file stores.
 */
export function fileRefreshCoordination(store: TokenStore | undefined) {
  const lock = store && locks.get(store);
  return store && lock ? refreshThroughStore(store, lock) : undefined;
}

/**
 * A store failure as the user should read it. Node's fs messages are `CODE: description, syscall
 * 'path'`; only the code and description are kept (a path in the cache, never any content).
 */
function cacheError(action: 'read' | 'write' | 'delete', dir: string, error: unknown): CodexError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const description = typeof message === 'string' ? /^[A-Z0-9_]+: ([^,]+),/.exec(message)?.[1] : undefined;
  const reason = typeof code === 'string' ? `${code}${description ? ` (${description})` : ''}` : 'unknown error';
  const verb = action === 'delete' ? 'delete a token from' : action;
  return new CodexError(
    `Could not ${verb} the Codex token cache in ${dir}: ${reason}. Tokens are kept in memory only; use a directory this user can read and write (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
    { cause: error, code: 'token_store_failed' },
  );
}

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

function createFileTokenStore(dir: string): TokenStore {
  // node:crypto and node:fs/promises (with the streams it loads) are imported on first use: most
  // Clients never touch the file cache, and importing @codex/node must stay fast (issue 10).
  const load = async () => {
    const [crypto, fs] = await Promise.all([import('node:crypto'), import('node:fs/promises')]);
    return { ...fs, randomBytes: crypto.randomBytes, createHash: crypto.createHash };
  };
  const path = (key: string, createHash: typeof import('node:crypto').createHash) =>
    join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  // No POSIX owners on Windows: nothing to check there.
  const uid = process.platform === 'win32' ? undefined : process.geteuid?.();
  /** Throws unless the directory is this user's own (its lstat errors, ENOENT included, too). */
  const checkDirectory = async (lstat: typeof import('node:fs/promises').lstat) => {
    if (uid === undefined) return;
    const problem = ownershipProblem(await lstat(dir), 'directory', uid);
    if (problem) throw untrustedCache(dir, dir, problem);
  };
  const store: TokenStore = {
    async get(key) {
      const { createHash, lstat, open, constants } = await load();
      const file = path(key, createHash);
      let text: string;
      try {
        await checkDirectory(lstat);
        // O_NOFOLLOW: a symbolic link fails to open (ELOOP) instead of being read through.
        const handle = await open(file, constants.O_RDONLY | (uid === undefined ? 0 : constants.O_NOFOLLOW));
        try {
          if (uid !== undefined) {
            const stats = await handle.stat();
            const problem = ownershipProblem(stats, 'file', uid);
            if (problem) throw untrustedCache(dir, file, problem);
            // Our own, but others may have read it: not used, and replaced by the next token.
            if ((stats.mode & 0o077) !== 0) return undefined;
          }
          text = await handle.readFile('utf8');
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (isCodexError(error)) throw error;
        if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw untrustedCache(dir, file, 'is a symbolic link');
        throw cacheError('read', dir, error);
      }
      try {
        const token = JSON.parse(text) as StoredToken;
        const valid =
          typeof token.accessToken === 'string' &&
          Number.isFinite(token.expiresAt) &&
          Number.isFinite(token.lifetimeMs);
        return valid ? token : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      const { createHash, randomBytes, mkdir, lstat, writeFile, chmod, rename, rm } = await load();
      const file = path(key, createHash);
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await checkDirectory(lstat);
        // 'wx' (O_EXCL) creates a new file, never following a symbolic link.
        await writeFile(temp, JSON.stringify(token), { mode: 0o600, flag: 'wx' });
        await chmod(temp, 0o600); // in case the umask widened it
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        throw isCodexError(error) ? error : cacheError('write', dir, error);
      }
    },
    async delete(key) {
      const { createHash, lstat, rm } = await load();
      try {
        await checkDirectory(lstat);
        await rm(path(key, createHash), { force: true });
      } catch (error) {
        if (isNotFound(error)) return;
        throw isCodexError(error) ? error : cacheError('delete', dir, error);
      }
    },
  };
  // The key's lock file (lock-file.ts): taken over at once when its owner died on this host, or once 10 s stale.
  locks.set(store, async (key, wait, fn) => {
    const { createHash, mkdir, lstat } = await load();
    let release: () => Promise<void>;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Not in a directory that is not this user's own: another user could hold the lock forever.
      await checkDirectory(lstat);
      release = await takeLockFile(`${path(key, createHash)}.lock`, wait);
    } catch (error) {
      if (error instanceof RefreshLockBusy) throw error;
      // No lock to be had (a read-only or refused directory): the store reports that problem once itself.
      return fn();
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  });
  return store;
}
