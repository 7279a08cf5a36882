import { defineConfig } from 'tsup';

// Thin re-exports, one per runtime; package.json's conditional exports pick the right one.
export default defineConfig([
  { entry: ['src/node.ts'], format: ['esm', 'cjs'], dts: true, clean: false, target: 'node20', platform: 'node' },
  { entry: ['src/browser.ts'], format: ['esm'], dts: true, clean: false, target: 'es2022', platform: 'browser' },
  { entry: ['src/deno.ts'], format: ['esm'], dts: true, clean: false, target: 'es2022', platform: 'neutral' },
]);
