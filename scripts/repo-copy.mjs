// A throwaway copy of the repository for the release and regeneration tests: a clone of HEAD with
// the working tree's uncommitted changes laid over it, installed from the local pnpm store.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function git(args, cwd) {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Copies the repository at `root` to `dest` (HEAD plus uncommitted changes) and installs it. */
export function copyRepo(root, dest) {
  git(['clone', '--quiet', root, dest]);
  const changed = git(['ls-files', '--modified', '--others', '--exclude-standard'], root);
  for (const file of changed.split('\n').filter(Boolean)) {
    // --modified lists deleted files too: delete them in the copy as well.
    if (existsSync(join(root, file))) cpSync(join(root, file), join(dest, file), { recursive: true });
    else rmSync(join(dest, file), { force: true });
  }
  git(
    [
      '-c',
      'user.email=ci@codex.dev',
      '-c',
      'user.name=ci',
      'commit',
      '--quiet',
      '--allow-empty',
      '-am',
      'working tree',
    ],
    dest,
  );
  const install = spawnSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], {
    cwd: dest,
    stdio: 'inherit',
  });
  if (install.status !== 0) throw new Error('pnpm install failed in the copy');
}
