import { readFileSync, rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Thin re-exports, one per runtime; package.json's conditional exports pick the right one.
// The configs build in parallel, so none of them may clean dist/ (it would delete the others'
// output): dist/ is emptied once here, before any starts, so that no output of a removed entry
// stays to be published.
export default defineConfig(() => {
  rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });
  return [
    { entry: ['src/node.ts'], format: ['esm', 'cjs'], dts: true, clean: false, target: 'node20', platform: 'node' },
    { entry: ['src/browser.ts'], format: ['esm'], dts: true, clean: false, target: 'es2022', platform: 'browser' },
    { entry: ['src/deno.ts'], format: ['esm'], dts: true, clean: false, target: 'es2022', platform: 'neutral' },
    // Edge runtimes (workerd, worker, edge-light): the core Client with no browser guard; Web APIs only.
    {
      entry: ['src/edge.ts'],
      format: ['esm'],
      dts: true,
      clean: false,
      target: 'es2022',
      platform: 'neutral',
      define: { __CODEX_SDK_VERSION__: JSON.stringify(version) },
    },
  ];
});
