#!/usr/bin/env node
// Runs `turbo run …` (its output untouched), then prints one last line totalling every suite and
// runtime of that run: `N passed, N failed, N skipped`. Exits with turbo's status.
//   node scripts/test-summary.mjs turbo run typecheck test test:scripts --continue
// The counts come from turbo's run summary (--summarize: each task's exit code and log file) and
// the runners' own totals in each task's log:
//   vitest       ` Tests  12 passed | 1 failed | 2 skipped | 1 todo (16)`
//   node --test  `# pass 3` / `ℹ fail 0` … (tap or spec reporter)
//   deno test    `ok | 41 passed | 0 failed | 2 ignored (9s)`
//   scripted checks (run.mjs files): one `✓ …` or `✗ …` line each, at the start of a line
// A task that reports none of these (a typecheck, a build) counts as one check, by its exit code;
// one that failed without reporting a failure (a crash after its tests) counts one failure more.
// A task turbo did not run (a dependency failed) counts as skipped. Builds, cleans and code
// generation are counted only when they fail.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SETUP_TASKS = new Set(['build', 'clean', 'generate']);

/** Counts in one task's log: { passed, failed, skipped, found }. */
export function countLog(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI color codes start with ESC.
  const log = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  const counts = { passed: 0, failed: 0, skipped: 0, found: false };
  const add = (key, n) => {
    counts[key] += Number(n);
    counts.found = true;
  };
  for (const line of log.split('\n')) {
    // vitest: the Tests line (not Test Files).
    const vitest = /^\s*Tests\s+(.*\(\d+\))\s*$/.exec(line);
    if (vitest) {
      for (const [, n, what] of vitest[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g))
        add(what === 'passed' ? 'passed' : what === 'failed' ? 'failed' : 'skipped', n);
      counts.found = true;
      continue;
    }
    // deno test
    const deno =
      /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \(\d+ steps?\))?(?: \| (\d+) ignored)?/.exec(
        line,
      );
    if (deno) {
      add('passed', deno[1]);
      add('failed', deno[2]);
      if (deno[3]) add('skipped', deno[3]);
      continue;
    }
    // node --test (tap: `# pass 3`, spec: `ℹ pass 3`)
    const node = /^(?:#|ℹ) (pass|fail|cancelled|skipped|todo) (\d+)\s*$/.exec(line);
    if (node) {
      add(
        node[1] === 'pass' ? 'passed' : node[1] === 'fail' || node[1] === 'cancelled' ? 'failed' : 'skipped',
        node[2],
      );
      continue;
    }
    // scripted checks
    if (/^✓ (\d+ modules transformed|built in )/.test(line)) continue; // vite build, not a check
    if (line.startsWith('✓ ')) add('passed', 1);
    else if (line.startsWith('✗ ')) add('failed', 1);
  }
  return counts;
}

/** Totals over a turbo run summary (.turbo/runs/*.json). */
export function countRun(summary, root) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const task of summary.tasks ?? []) {
    const exitCode = task.execution?.exitCode;
    if (exitCode === undefined || exitCode === null) {
      if (!SETUP_TASKS.has(task.task)) total.skipped += 1;
      continue;
    }
    if (SETUP_TASKS.has(task.task)) {
      if (exitCode !== 0) total.failed += 1;
      continue;
    }
    const logFile = task.logFile ? join(root, task.logFile) : null;
    const counts = logFile && existsSync(logFile) ? countLog(readFileSync(logFile, 'utf8')) : { found: false };
    if (!counts.found) {
      total[exitCode === 0 ? 'passed' : 'failed'] += 1;
      continue;
    }
    total.passed += counts.passed;
    total.failed += counts.failed + (exitCode !== 0 && counts.failed === 0 ? 1 : 0);
    total.skipped += counts.skipped;
  }
  return total;
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const runs = join(root, '.turbo', 'runs');
  const started = Date.now();
  const [command, ...args] = process.argv.slice(2);
  const result = spawnSync(command, [...args, '--summarize'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  const status = result.error ? 1 : (result.status ?? 1);
  const summaries = existsSync(runs)
    ? readdirSync(runs)
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(runs, name))
        .filter((file) => statSync(file).mtimeMs >= started - 1000)
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (summaries.length === 0) {
    console.log(`\nno test totals: turbo wrote no run summary (exit ${status})`);
  } else {
    const total = countRun(JSON.parse(readFileSync(summaries[0], 'utf8')), root);
    if (status !== 0 && total.failed === 0) total.failed = 1;
    console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  }
  process.exit(status);
}

// Run as a script (not imported by its test).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
