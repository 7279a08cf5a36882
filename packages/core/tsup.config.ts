import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  // The .d.ts build sees the generated client too, which needs exactOptionalPropertyTypes off
  // (see tsconfig.generated.json); `pnpm typecheck` checks hand-written code with it on.
  dts: { compilerOptions: { exactOptionalPropertyTypes: false, composite: false } },
};

export default defineConfig([
  { ...shared, entry: { index: 'src/index.ts' }, format: ['esm'] },
  { ...shared, entry: { index: 'src/index.ts' }, format: ['cjs'] },
] as Options[]);
