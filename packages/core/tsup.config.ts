import { defineConfig } from 'tsup';

const shared = {
  entry: { index: 'src/index.ts', generated: 'src/generated-entry.ts' },
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  // The .d.ts build sees the generated client too, which needs exactOptionalPropertyTypes off
  // (see tsconfig.generated.json); `pnpm typecheck` checks hand-written code with it on.
  dts: { compilerOptions: { exactOptionalPropertyTypes: false, composite: false } },
} as const;

export default defineConfig([
  { ...shared, format: ['esm'], clean: true },
  // ky is ESM-only: the CommonJS build carries its own copy, so `require('@codex/core')` works on
  // every Node >= 20, not only those with require(esm).
  { ...shared, format: ['cjs'], noExternal: ['ky'] },
]);
