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

// One build per entry point, so that each .d.ts stands alone (shared declaration chunks are
// imported as `.js` files, which Deno cannot map to their `.d.ts`).
const entries = [{ index: 'src/index.ts' }, { generated: 'src/generated-entry.ts' }];

export default defineConfig(
  entries.flatMap((entry) => [
    { ...shared, entry, format: ['esm'] },
    // ky is ESM-only: the CommonJS build carries its own copy, so `require('@codex/core')` works
    // on every Node >= 20, not only those with require(esm).
    { ...shared, entry, format: ['cjs'], noExternal: ['ky'] },
  ]) as Options[],
);
