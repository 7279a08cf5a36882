import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests read source, not builds (STYLE.md): resolve @codex/* through their "@codex/source" export.
  resolve: { conditions: ['@codex/source'] },
  test: {
    // Tests start servers and child processes; CI runs every package's tests at once on 2 cores.
    testTimeout: 30_000,
    // One file at a time: the chaos test's CPU hogs and the fleets' timing bars would disturb each other.
    fileParallelism: false,
    include: ['test/**/*.test.ts'],
  },
});
