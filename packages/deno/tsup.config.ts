import { defineConfig } from 'tsup';

// The npm build of @codex/deno (for `npm:@codex/deno` and @codex/sdk's "deno" condition).
export default defineConfig({
  entry: ['mod.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
