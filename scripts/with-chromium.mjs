#!/usr/bin/env node
// Runs a browser test command when Chromium is installed (CHROMIUM_PATH, else /usr/bin/chromium).
// Without it: in CI (CI=true) that is a failure; on a developer's machine the command is skipped
// with a loud notice, so `npm test` still runs everything else on a machine with only Node and npm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const [command, ...args] = process.argv.slice(2);
if (!existsSync(chromium)) {
  const how = `Install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) {
    console.error(`✗ Chromium not found at ${chromium}: the browser tests cannot run. ${how}`);
    process.exit(1);
  }
  console.warn(`\n⚠ SKIPPED: ${command} ${args.join(' ')} — Chromium not found at ${chromium}. ${how}\n`);
  process.exit(0);
}
const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
