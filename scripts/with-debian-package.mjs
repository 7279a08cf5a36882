#!/usr/bin/env node
// Runs a test command that needs a program from one of Debian's packages, when it is installed:
//   node scripts/with-debian-package.mjs chromium vitest run       (Chromium: CHROMIUM_PATH, else /usr/bin/chromium)
//   node scripts/with-debian-package.mjs redis-server vitest run   (redis-server on the PATH)
// Without it: in CI (CI=true) that is a failure; on a developer's machine the command is skipped
// with a loud notice, so `npm test` still runs everything else on a machine with only Node and npm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PROGRAMS = {
  chromium: {
    path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    tests: 'browser tests',
    hint: ' or set CHROMIUM_PATH',
  },
  'redis-server': { path: 'redis-server', tests: 'Redis tests', hint: '' },
};
const [name, command, ...args] = process.argv.slice(2);
const program = PROGRAMS[name];
if (!program || !command) {
  console.error(`usage: with-debian-package.mjs <${Object.keys(PROGRAMS).join('|')}> <command> [args...]`);
  process.exit(2);
}
const found = program.path.includes('/')
  ? existsSync(program.path)
  : (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, program.path)));
if (!found) {
  const how = `Install Debian's ${name} (sudo apt-get install ${name})${program.hint}.`;
  if (process.env.CI) {
    console.error(`✗ ${name} not found: the ${program.tests} cannot run. ${how}`);
    process.exit(1);
  }
  console.warn(`\n⚠ SKIPPED: ${command} ${args.join(' ')} — ${name} not found. ${how}\n`);
  process.exit(0);
}
const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
