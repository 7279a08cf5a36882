import type { UserConfig } from '@hey-api/openapi-ts';
import { BANNER } from './banner.ts';
import { defineConfig as operationTable } from './operation-table/index.ts';
import type { ApiReferenceConfig, CliConfig } from './operation-table/types.ts';
import { dropWireOnlyBranches } from './wire-only.ts';

export { BANNER };

export type CodexGenerateOptions = {
  /** Path of the OpenAPI document. */
  input: string;
  /** Folder the `*.gen.ts` files are written to; it is emptied first. */
  output: string;
  /** Client only: where to write the API reference (`api.md`), and the guide it links to. */
  apiReference?: ApiReferenceConfig;
  /** Client only: where to write the CLI's command table (`packages/cli/src/commands.gen.ts`). */
  cli?: CliConfig;
};

/** What each consumer of the spec gets generated. */
export type CodexTarget = 'client' | 'server';

const plugins = (
  target: CodexTarget,
  { apiReference, cli }: CodexGenerateOptions,
): NonNullable<UserConfig['plugins']> =>
  target === 'client'
    ? // @codex/core: the types, our operation table and resource classes (and api.md, and the
      // CLI's commands); the Client's HTTP layer is hand-written (src/transport.ts), so hey-api's
      // client and SDK functions are not generated (issue 13).
      [
        { name: '@hey-api/typescript', enums: false },
        operationTable({ ...(apiReference && { apiReference }), ...(cli && { cli }) }),
      ]
    : // @codex/dev-server: JSON Schemas (2020-12, every keyword kept) to validate requests with.
      // Its types and operation table are core's (one generated copy).
      [{ name: '@hey-api/schemas', type: 'json' }];

/** The hey-api configuration, shared by `pnpm generate` and the generator's tests. */
export function codexConfig(options: CodexGenerateOptions, target: CodexTarget = 'client'): UserConfig {
  return {
    input: options.input,
    output: {
      path: options.output,
      clean: true,
      // Every file must be `*.gen.ts`; hey-api's entry file would be `index.ts`, so core's own
      // hand-written index re-exports the generated layer instead.
      entryFile: false,
      // hey-api keeps `index` files unsuffixed; any `index.ts` it writes must be `.gen.ts` too.
      fileName: { name: (name) => (name === 'index' ? 'index.gen' : name), suffix: '.gen' },
      header: BANNER,
    },
    logs: { file: false, level: 'warn' },
    // The SDK's types describe what it sends; the dev server validates what the API accepts.
    ...(target === 'client' && { parser: { patch: { input: dropWireOnlyBranches } } }),
    plugins: plugins(target, options),
  };
}
