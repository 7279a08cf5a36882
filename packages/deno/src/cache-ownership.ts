import { CodexError } from '@codex/core';
import { isPermissionError } from './permissions.ts';

/**
 * This user's id, to check the owner of the token cache's files: null on Windows (no POSIX owners).
 * Deno.uid() needs --allow-sys=uid; without it, a CodexError (`missing_permission`) names the flag,
 * and the cache is not used: a cache whose owner cannot be checked is not trusted.
 */
export function currentUid(dir: string): number | null {
  if (Deno.build.os === 'windows') return null;
  try {
    return Deno.uid();
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    throw new CodexError(
      `Checking that the Codex token cache in ${dir} belongs to this user needs permission: run deno with --allow-sys=uid, or use tokenStore: 'memory'. Tokens are kept in memory only.`,
      { cause: error, code: 'missing_permission' },
    );
  }
}

/**
 * Why this user must not use a directory or file of the token cache, or undefined when it may
 * (issue 18, item 1). As OpenSSH does with ~/.ssh: it must be this user's own, writable by no one
 * else, and not a symbolic link. Otherwise another user could plant a token there (a real one of
 * theirs: our writes would then go to their project) or read the ones written there. `info` is
 * from Deno.lstat.
 */
export function ownershipProblem(info: Deno.FileInfo, kind: 'directory' | 'file', uid: number): string | undefined {
  if (info.isSymlink) return 'is a symbolic link';
  if (kind === 'directory' ? !info.isDirectory : !info.isFile) return `is not a ${kind}`;
  if (info.uid !== uid) return `is owned by uid ${info.uid}, not by this user (uid ${uid})`;
  const mode = info.mode ?? 0;
  if ((mode & 0o022) === 0) return undefined;
  const writers = [mode & 0o020 && 'its group', mode & 0o002 && 'others'].filter(Boolean).join(' and ');
  return `can be written by ${writers} (permissions ${(mode & 0o777).toString(8).padStart(4, '0')})`;
}

/** The store's refusal of a path it does not trust: the Client keeps tokens in memory and warns once. */
export function untrustedCache(dir: string, path: string, problem: string): CodexError {
  const what = path === dir ? 'it' : `its file ${path}`;
  return new CodexError(
    `Not using the Codex token cache in ${dir}: ${what} ${problem}. The cache must belong to this user and be writable by no one else (like ~/.ssh), or another user could plant a token there or read yours. Tokens are kept in memory only; fix or remove it, use another directory (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
    { code: 'token_store_failed' },
  );
}
