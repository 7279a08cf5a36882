import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countLog, countRun } from './test-summary.mjs';

test('countLog reads vitest, deno, node --test and scripted checks', () => {
  assert.deepEqual(
    countLog(' Test Files  2 passed (2)\n      Tests  12 passed | 1 failed | 2 skipped | 1 todo (16)\n'),
    {
      passed: 12,
      failed: 1,
      skipped: 3,
      found: true,
    },
  );
  assert.deepEqual(
    countLog('ok | 41 passed | 0 failed | 2 ignored (9s)\n✓ one check\n✗ another\n  ✓ indented, not counted\n'),
    {
      passed: 42,
      failed: 1,
      skipped: 2,
      found: true,
    },
  );
  assert.deepEqual(countLog('# tests 3\n# pass 2\n# fail 1\n# cancelled 0\n# skipped 1\n# todo 0\n'), {
    passed: 2,
    failed: 1,
    skipped: 1,
    found: true,
  });
  assert.equal(countLog('tsc -p tsconfig.json\n').found, false);
  assert.equal(countLog('✓ 6 modules transformed.\n✓ built in 343ms\n').found, false);
});

test('countRun counts a task without totals as one check, and skips setup tasks unless they fail', () => {
  const summary = {
    tasks: [
      { task: 'build', execution: { exitCode: 0 } },
      { task: 'build', execution: { exitCode: 1 } },
      { task: 'typecheck', execution: { exitCode: 0 } },
      { task: 'typecheck', execution: { exitCode: 2 } },
      { task: 'test', execution: null },
    ],
  };
  assert.deepEqual(countRun(summary, '/nonexistent'), { passed: 1, failed: 2, skipped: 1 });
});
