import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests read source, not builds (STYLE.md): resolve @codex/* through their "@codex/source" export.
  resolve: { conditions: ['@codex/source'] },
  test: {
    // Tests start servers and child processes; CI runs every package's tests at once on 2 cores.
    testTimeout: 30_000,
    include: ['test/**/*.test.ts'],
  },
});
