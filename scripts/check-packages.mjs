#!/usr/bin/env node
// Packaging checks for every public package, on what would be published: publint --strict and
// attw --pack (are the types right for every way of importing?). Run after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unreachableDistFiles } from './dist-files.mjs';

// ESM-only packages are checked with attw's esm-only profile (no CommonJS resolution expected).
const PACKAGES = [
  { dir: 'packages/core', profile: 'node16' },
  { dir: 'packages/node', profile: 'node16' },
  { dir: 'packages/sdk', profile: 'node16' },
  { dir: 'packages/redis', profile: 'node16' },
  { dir: 'packages/browser', profile: 'esm-only' },
  { dir: 'packages/deno', profile: 'esm-only' },
  { dir: 'packages/dev-server', profile: 'esm-only' },
  // A command line (bin only): nothing to import, so no types for attw to check.
  { dir: 'packages/cli', profile: null },
];

let failed = false;
const run = (label, command, args) => {
  console.log(`\n━━ ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ ${label}`);
    failed = true;
  }
};
/** What a tarball may hold: the build, the docs, the manifest. No `workspace:` ranges. */
const ALLOWED = /^package\/(dist\/.+|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
function checkTarball(dir) {
  const out = mkdtempSync(join(tmpdir(), 'codex-pack-'));
  const pack = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  if (pack.status !== 0) return [`pnpm pack failed: ${pack.stderr}`];
  const [tarball] = readdirSync(out);
  const files = spawnSync('tar', ['tzf', join(out, tarball)], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n');
  const problems = files.filter((f) => !ALLOWED.test(f)).map((f) => `unexpected file in the tarball: ${f}`);
  // A build that does not empty dist/ first leaves the outputs of removed entries there.
  const leftovers = new Set(unreachableDistFiles(dir).map((path) => `package/${path}`));
  for (const f of files.filter((file) => leftovers.has(file)))
    problems.push(
      `${f} is in the tarball, but no entry point reaches it: a leftover of an older build? (delete dist/ and build again)`,
    );
  const manifest = spawnSync('tar', ['xzf', join(out, tarball), '-O', 'package/package.json'], {
    encoding: 'utf8',
  }).stdout;
  if (manifest.includes('workspace:')) problems.push('package.json still has a workspace: range');
  if (!files.some((f) => f.startsWith('package/dist/'))) problems.push('no dist/ in the tarball (not built?)');
  return problems;
}

for (const { dir, profile } of PACKAGES) {
  console.log(`\n━━ tarball contents of ${dir}`);
  const problems = checkTarball(dir);
  for (const problem of problems) console.error(`✗ ${dir}: ${problem}`);
  if (problems.length) failed = true;
  else
    console.log(
      'only dist (all of it reached from the entry points), README, LICENSE, CHANGELOG and package.json; no workspace: ranges',
    );
  run(`publint --strict ${dir}`, 'publint', ['--strict', dir]);
  if (profile)
    run(`attw --pack ${dir} (${profile})`, 'attw', ['--pack', dir, '--profile', profile, '--format', 'table-flipped']);
}
if (failed) {
  console.error('\n✗ Packaging checks failed.');
  process.exit(1);
}
console.log('\n✓ Every public package: tarball contents, publint --strict and attw --pack.');
