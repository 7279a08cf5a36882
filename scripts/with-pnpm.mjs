#!/usr/bin/env node
// Runs a command with the pinned pnpm on PATH and the workspace installed, on a machine that has
// only Node and npm (README's Quick start, .ci/run). pnpm is installed into .tools/ with npm
// rather than globally or through corepack, whose bundled signing keys lag behind npm's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = packageManager.replace(/^pnpm@/, '');
const toolsBin = join(root, '.tools', 'node_modules', '.bin');
const env = {
  ...process.env,
  PATH: `${toolsBin}${delimiter}${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`,
};
// npm exports its own config as npm_config_* to scripts; pnpm would read it as its own.
for (const key of Object.keys(env)) if (key.startsWith('npm_config_')) delete env[key];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    ...options,
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmVersion() {
  const result = spawnSync('pnpm', ['--version'], {
    cwd: root,
    env,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

if (pnpmVersion() !== version) {
  console.error(`[with-pnpm] installing pnpm ${version} into .tools/`);
  const status = run('npm', [
    'install',
    '--prefix',
    join(root, '.tools'),
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `pnpm@${version}`,
  ]);
  if (status !== 0 || pnpmVersion() !== version) {
    console.error(
      `[with-pnpm] could not install pnpm ${version} with npm; install it yourself (npm i -g pnpm@${version}).`,
    );
    process.exit(1);
  }
}

// A no-op in about a second when node_modules is current; never rewrites the lockfile.
const installed = run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only']);
if (installed !== 0) process.exit(installed);

const [command, ...args] = process.argv.slice(2);
if (!command) process.exit(0);
process.exit(existsSync(join(root, 'node_modules')) ? run(command, args) : 1);
