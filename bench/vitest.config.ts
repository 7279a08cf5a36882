import { defineConfig } from 'vitest/config';

// `pnpm bench`: speed targets live here, not in timed tests.
export default defineConfig({
  resolve: { conditions: ['@codex/source'] },
  test: { include: ['bench/**/*.bench.ts'], benchmark: { include: ['bench/**/*.bench.ts'] } },
});
