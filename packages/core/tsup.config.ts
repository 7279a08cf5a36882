import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  dts: { compilerOptions: { composite: false } },
};

const entry = { index: 'src/index.ts' };

export default defineConfig([
  { ...shared, entry, format: ['esm'] },
  { ...shared, entry, format: ['cjs'] },
]);
