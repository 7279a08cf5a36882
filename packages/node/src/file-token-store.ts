import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StoredToken, TokenStore } from '@codex/core';
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
 * - One file per key (a hash of baseUrl, client ID and scope), mode 0600 in a 0700 directory.
 * - Written atomically: a temporary file, then rename; readers see the old token or the new one.
 * - Safe with several processes: no read-modify-write of shared files; the last writer wins, and
 *   every token written is valid.
 * - A file that others could read, or that does not parse, is ignored.
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

function createFileTokenStore(dir: string): TokenStore {
  const path = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  return {
    async get(key) {
      try {
        const file = path(key);
        if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) return undefined;
        const token = JSON.parse(await readFile(file, 'utf8')) as StoredToken;
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
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path(key);
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(token), { mode: 0o600, flag: 'wx' });
        await chmod(temp, 0o600); // in case the umask widened it
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async delete(key) {
      await rm(path(key), { force: true });
    },
  };
}
