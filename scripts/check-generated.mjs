#!/usr/bin/env node
// Fails when the committed generated code and openapi/codex.yaml disagree: regenerates, then asks
// git whether anything under the generated folders changed (or appeared).
import { spawnSync } from 'node:child_process';

const GENERATED = ['packages/core/src/generated', 'packages/dev-server/src/generated'];

const gen = spawnSync('pnpm', ['--filter', '@codex/codegen', 'generate'], { stdio: 'inherit' });
if (gen.status !== 0) {
  console.error('\n✗ pnpm generate failed.');
  process.exit(1);
}
const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...GENERATED], {
  encoding: 'utf8',
});
if (status.status !== 0) {
  console.error(status.stderr);
  process.exit(1);
}
if (status.stdout.trim()) {
  console.error(`\n✗ Generated code is out of date with openapi/codex.yaml or the generator:\n${status.stdout}`);
  spawnSync('git', ['--no-pager', 'diff', '--stat', '--', ...GENERATED], { stdio: 'inherit' });
  console.error('\nRun `pnpm generate` and commit the result.');
  process.exit(1);
}
console.log('✓ Generated code matches openapi/codex.yaml.');
