import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests read source, not builds (STYLE.md): resolve @codex/* through their "@codex/source" export.
  resolve: { conditions: ['@codex/source'] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
