#!/usr/bin/env node
// Packaging checks for every public package, on what would be published: publint --strict and
// attw --pack (are the types right for every way of importing?). Run after `pnpm build`.
import { spawnSync } from 'node:child_process';

// ESM-only packages are checked with attw's esm-only profile (no CommonJS resolution expected).
const PACKAGES = [
  { dir: 'packages/core', profile: 'node16' },
  { dir: 'packages/node', profile: 'node16' },
  { dir: 'packages/sdk', profile: 'node16' },
  { dir: 'packages/browser', profile: 'esm-only' },
  { dir: 'packages/deno', profile: 'esm-only' },
  { dir: 'packages/dev-server', profile: 'esm-only' },
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
for (const { dir, profile } of PACKAGES) {
  run(`publint --strict ${dir}`, 'publint', ['--strict', dir]);
  run(`attw --pack ${dir} (${profile})`, 'attw', ['--pack', dir, '--profile', profile, '--format', 'table-flipped']);
}
if (failed) {
  console.error('\n✗ Packaging checks failed.');
  process.exit(1);
}
console.log('\n✓ Every public package passes publint --strict and attw --pack.');
