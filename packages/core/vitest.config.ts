import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests read source, not builds (STYLE.md): resolve @codex/* through their "@codex/source" export.
  resolve: { conditions: ['@codex/source'] },
  test: {
    // Tests start servers and child processes; CI runs every package's tests at once on 2 cores.
    testTimeout: 30_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // test/memory.test.ts measures the heap after global.gc() (issue 9's memory gate).
    execArgv: ['--expose-gc'],
  },
});
