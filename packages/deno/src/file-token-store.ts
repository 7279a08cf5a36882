import type { StoredToken, TokenStore } from '@codex/core';
import { readEnvIfAllowed } from './permissions.ts';

/** The user's cache directory for Codex tokens (CODEX_CACHE_DIR, else XDG / Library/Caches / LOCALAPPDATA). */
export function defaultCacheDir(): string {
  const override = readEnvIfAllowed('CODEX_CACHE_DIR');
  if (override) return override;
  const home = readEnvIfAllowed('HOME') ?? readEnvIfAllowed('USERPROFILE') ?? '.';
  if (Deno.build.os === 'darwin') return `${home}/Library/Caches/codex/tokens`;
  if (Deno.build.os === 'windows')
    return `${readEnvIfAllowed('LOCALAPPDATA') ?? `${home}/AppData/Local`}/codex/Cache/tokens`;
  return `${readEnvIfAllowed('XDG_CACHE_HOME') ?? `${home}/.cache`}/codex/tokens`;
}

async function fileName(dir: string, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  const hex = Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${dir}/${hex}.json`;
}

/**
 * Tokens in files, like @codex/node's: one 0600 file per key in a 0700 directory, written to a
 * temporary file and renamed, so concurrent processes never see a partial token. Needs
 * --allow-read and --allow-write for the directory.
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
  return {
    async get(key) {
      try {
        const file = await fileName(dir, key);
        const info = await Deno.stat(file);
        if (Deno.build.os !== 'windows' && info.mode !== null && (info.mode & 0o077) !== 0) return undefined;
        const token = JSON.parse(await Deno.readTextFile(file)) as StoredToken;
        return typeof token.accessToken === 'string' && Number.isFinite(token.expiresAt) ? token : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = await fileName(dir, key);
      const temp = `${file}.${crypto.randomUUID()}.tmp`;
      try {
        await Deno.writeTextFile(temp, JSON.stringify(token), { mode: 0o600, createNew: true });
        if (Deno.build.os !== 'windows') await Deno.chmod(temp, 0o600);
        await Deno.rename(temp, file);
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
    },
    async delete(key) {
      await Deno.remove(await fileName(dir, key)).catch(() => {});
    },
  };
}
