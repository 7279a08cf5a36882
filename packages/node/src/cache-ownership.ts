import type { Stats } from 'node:fs';
import { CodexError } from '@codex/core';

/**
 * Why this user must not use a directory or file of the token cache, or undefined when it may
 * (issue 18, item 1). As OpenSSH does with ~/.ssh: it must be this user's own, writable by no one
 * else, and not a symbolic link. Otherwise another user could plant a token there (a real one of
 * theirs: our writes would then go to their project) or read the ones written there. `stats` is
 * from lstat, or fstat of a file opened with O_NOFOLLOW; `uid` is this process's effective uid.
 */
export function ownershipProblem(stats: Stats, kind: 'directory' | 'file', uid: number): string | undefined {
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) return `is not a ${kind}`;
  if (stats.uid !== uid) return `is owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  if ((stats.mode & 0o022) === 0) return undefined;
  const writers = [stats.mode & 0o020 && 'its group', stats.mode & 0o002 && 'others'].filter(Boolean).join(' and ');
  return `can be written by ${writers} (permissions ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
}

/** The store's refusal of a path it does not trust: the Client keeps tokens in memory and warns once. */
export function untrustedCache(dir: string, path: string, problem: string): CodexError {
  const what = path === dir ? 'it' : `its file ${path}`;
  return new CodexError(
    `Not using the Codex token cache in ${dir}: ${what} ${problem}. The cache must belong to this user and be writable by no one else (like ~/.ssh), or another user could plant a token there or read yours. Tokens are kept in memory only; fix or remove it, use another directory (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.`,
    { code: 'token_store_failed' },
  );
}
