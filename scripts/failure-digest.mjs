#!/usr/bin/env node
// Prints, for each failed turbo task in a log, that task's own failure report (vitest's "Failed
// Tests" section, bun's "(fail)" lines, or the task's last lines), so that a CI run that keeps only
// the end of its output still says which test failed and why.
//
// Usage: node scripts/failure-digest.mjs <log file>
// Written here rather than taken from a library: it reads turbo's "<package>:<task>: " line prefix
// and vitest's report headings, which no log tool knows about.
import { readFileSync } from 'node:fs';

const PER_TASK = 45;
const file = process.argv[2];
if (!file) {
  console.error('usage: failure-digest.mjs <log file>');
  process.exit(2);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g;
const lines = readFileSync(file, 'utf8').replace(ansi, '').split(/\r?\n/);

// turbo ends with "Failed:    @codex/browser#test, @codex/redis#test".
const failedLine = lines.findLast((line) => /^\s*Failed:\s+\S/.test(line));
const failed = failedLine
  ? failedLine
      .replace(/^\s*Failed:\s+/, '')
      .split(/,\s*/)
      .filter(Boolean)
  : [];
if (failed.length === 0) {
  console.log('failure digest: no failed turbo task named in the log; see the output above.');
  process.exit(0);
}

const start = (own) => {
  const failedTests = own.findIndex((line) =>
    /⎯ Failed Tests? \d+ ⎯|⎯ Unhandled Errors? ⎯|⎯ Failed Suites? \d+ ⎯/.test(line),
  );
  if (failedTests >= 0) return failedTests;
  const first = own.findIndex((line) => /^\s*(FAIL\s|\(fail\)|✗|Error:|AssertionError)/.test(line));
  return first >= 0 ? first : Math.max(0, own.length - PER_TASK);
};

console.log(`\n━━━ failure digest: ${failed.join(', ')} ━━━`);
for (const task of failed) {
  const prefix = `${task.replace('#', ':')}: `;
  const own = lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
  const from = start(own);
  const report = own.slice(from, from + PER_TASK);
  console.log(`\n── ${task} (${own.length} lines of output; from line ${from + 1}) ──`);
  for (const line of report) console.log(`  ${line}`);
  if (from + PER_TASK < own.length) console.log(`  … ${own.length - from - PER_TASK} more lines`);
}
