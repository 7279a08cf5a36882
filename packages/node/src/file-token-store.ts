import { homedir } from 'node:os';
import { join } from 'node:path';
import { CodexError, type ProvidedToken, type StoredToken, type TokenProvider, type TokenStore } from '@codex/core';
import type { Env } from './credentials';

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
 * - Best effort (issue 9, item 15): a directory that cannot be read or written makes get, set and
 *   delete throw a CodexError that says what to do, and never holds file contents or tokens; the
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

/** Runs `fn` holding the key's lock file; `wait: false` gives up at once when another process holds it. */
type Locker = <T>(key: string, wait: boolean, fn: () => Promise<T>) => Promise<T>;
const lockers = new WeakMap<TokenStore, Locker>();

/** Thrown by a Locker that was asked not to wait, when another process holds the lock. */
export class LockBusy extends Error {}

/**
 * What a Client with a file token store passes as `coordinateRefresh`, so that the processes of a
 * machine share one token: a refresh holds the key's lock file, reads the file first and takes a
 * token another process wrote (one not yet due for refresh, and not the one being replaced), and
 * otherwise fetches one and writes it before letting go. A process whose token is due so reads the
 * file again, rather than only at start. Best effort: if the lock cannot be taken (a read-only
 * directory), the refresh goes ahead without it. undefined for stores that are not file stores.
 */
export function fileRefreshCoordination(store: TokenStore | undefined) {
  const lock = store && lockers.get(store);
  if (!store || !lock) return undefined;
  return (key: string, fetchToken: TokenProvider): TokenProvider => {
    let last: string | undefined;
    const refresh = async (signal?: AbortSignal, background?: boolean): Promise<ProvidedToken> => {
      const stored = await store.get(key).catch(() => undefined);
      const left = stored ? stored.expiresAt - Date.now() : 0;
      // Not in its refresh window (core's TokenManager: the last 10% of its life, at most 5 minutes).
      if (stored && stored.accessToken !== last && left > Math.min(300_000, stored.lifetimeMs * 0.1)) {
        last = stored.accessToken;
        return { accessToken: stored.accessToken, expiresIn: left / 1000 };
      }
      const token = await (fetchToken as (s?: AbortSignal, b?: boolean) => Promise<ProvidedToken>)(signal, background);
      last = token.accessToken;
      const lifetimeMs = token.expiresIn * 1000;
      await store
        .set(key, { accessToken: token.accessToken, expiresAt: Date.now() + lifetimeMs, lifetimeMs })
        .catch(() => {});
      return token;
    };
    return (async (signal?: AbortSignal, background?: boolean) => {
      try {
        // A background refresh never waits for the lock (a wait would hold the process open):
        // when another process holds it, it gives up, and the next call tries again.
        return await lock(key, !background, () => refresh(signal, background));
      } catch (error) {
        // Busy for 20 s (a hung holder), or no lock to be had: refresh without it rather than fail.
        if (error instanceof LockNotTaken || (error instanceof LockBusy && !background))
          return refresh(signal, background);
        throw error;
      }
    }) as TokenProvider;
  };
}

/** The lock could not be taken for another reason than contention (a read-only directory...). */
class LockNotTaken extends Error {}

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
    `Could not ${verb} the Codex token cache in ${dir}: ${reason}. Tokens are kept in memory only; use a directory this user can read and write (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenCache: 'memory'.`,
    { cause: error },
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
  const store: TokenStore = {
    async get(key) {
      const { createHash, stat, readFile } = await load();
      const file = path(key, createHash);
      let text: string;
      try {
        if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) return undefined;
        text = await readFile(file, 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
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
      const { createHash, randomBytes, mkdir, writeFile, chmod, rename, rm } = await load();
      const file = path(key, createHash);
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(temp, JSON.stringify(token), { mode: 0o600, flag: 'wx' });
        await chmod(temp, 0o600); // in case the umask widened it
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        throw cacheError('write', dir, error);
      }
    },
    async delete(key) {
      const { createHash, rm } = await load();
      try {
        await rm(path(key, createHash), { force: true });
      } catch (error) {
        throw cacheError('delete', dir, error);
      }
    },
  };
  // proper-lockfile: an atomic mkdir of `<file>.lock`, kept fresh while held; a lock whose holder
  // died is taken over once it is 10 s stale.
  lockers.set(store, async (key, wait, fn) => {
    const [{ createHash, mkdir }, { lock }] = await Promise.all([load(), import('proper-lockfile')]);
    const file = path(key, createHash);
    const take = (retries: number) =>
      lock(file, {
        realpath: false,
        stale: 10_000,
        update: 2_000,
        // Up to about 20 s: a token request, with its retries, in another process.
        retries: retries && { retries, factor: 1.2, minTimeout: 20, maxTimeout: 250 },
      });
    let release: () => Promise<void>;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Once without waiting: proper-lockfile retries every error, and only contention is worth it.
      release = await take(0).catch((error: NodeJS.ErrnoException) => {
        if (error?.code !== 'ELOCKED' || !wait) throw error;
        return take(100);
      });
    } catch (error) {
      throw (error as NodeJS.ErrnoException)?.code === 'ELOCKED' ? new LockBusy() : new LockNotTaken();
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  });
  return store;
}
