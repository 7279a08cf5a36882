import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  // Tests read source, not builds (STYLE.md): resolve @codex/* through their "@codex/source" export.
  // The end-to-end tests run the built bin (dist/cli.js) as a child process, as users run it.
  resolve: { conditions: ['@codex/source'] },
  define: { __CODEX_CLI_VERSION__: JSON.stringify(version) },
  test: {
    // Tests start servers and child processes; CI runs every package's tests at once on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    include: ['test/**/*.test.ts'],
  },
});
