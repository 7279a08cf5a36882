import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  sourcemap: true,
  // dist/ is emptied first: outputs of entries since removed must not stay and be published.
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  dts: { compilerOptions: { composite: false } },
});
