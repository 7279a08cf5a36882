#!/usr/bin/env node
// `pnpm version-packages`: `changeset version`, then everything else that carries the version kept
// in step: @codex/deno's deno.json, jsr.json and src/version.ts (its User-Agent), and the lockfile;
// and records the spec and API reports being released as the breaking-change gate's baseline.
// @codex/node's User-Agent reads package.json at build time. Fails if the public packages disagree.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));

run('changeset', ['version']);

const PUBLIC = ['core', 'node', 'browser', 'deno', 'sdk', 'dev-server'].map((name) => `packages/${name}/package.json`);
const versions = new Map(PUBLIC.map((path) => [path, json(path).version]));
const version = json('packages/core/package.json').version;
const odd = [...versions].filter(([, v]) => v !== version);
if (odd.length) {
  console.error(
    `✗ @codex/* packages must share one version (${version}); these differ: ${odd.map(([p, v]) => `${p}@${v}`).join(', ')}`,
  );
  process.exit(1);
}

for (const file of ['packages/deno/deno.json', 'packages/deno/jsr.json']) {
  const config = json(file);
  config.version = version;
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}
const versionTs = 'packages/deno/src/version.ts';
writeFileSync(
  versionTs,
  readFileSync(versionTs, 'utf8').replace(/VERSION: string = '[^']*'/, `VERSION: string = '${version}'`),
);

// What this release publishes becomes the baseline of the breaking-change gate.
mkdirSync('etc/released/api', { recursive: true });
copyFileSync('openapi/codex.yaml', 'etc/released/codex.yaml');
for (const report of readdirSync('etc/api')) copyFileSync(`etc/api/${report}`, `etc/released/api/${report}`);

run('pnpm', ['install', '--lockfile-only', '--reporter=silent']);
console.log(`✓ Every @codex/* package, deno.json, jsr.json and the SDK versions are at ${version}.`);
