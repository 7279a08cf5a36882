import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // The .d.ts build sees the generated client too, which needs exactOptionalPropertyTypes off
  // (see tsconfig.generated.json); `pnpm typecheck` checks hand-written code with it on.
  dts: { compilerOptions: { exactOptionalPropertyTypes: false, composite: false } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
});
