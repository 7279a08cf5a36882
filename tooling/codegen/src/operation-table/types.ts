import type { DefinePlugin, Plugin } from '@hey-api/openapi-ts';

export type UserConfig = Plugin.Name<'codex/operation-table'> &
  Plugin.Hooks & {
    /**
     * Name of the exported table constant.
     * @default 'operations'
     */
    tableName?: string;
    /**
     * Name of the exported type that maps each operationId to its generated request and response types.
     * @default 'OperationTypes'
     */
    typesName?: string;
    /**
     * Also emit `codex/resources.gen.ts`: the client's resource classes, which import
     * @codex/core's hand-written runtime (`../../resources` and its neighbours).
     * @default true
     */
    resources?: boolean;
    /**
     * Also write the API reference, Markdown (`api.md`): every method of the client with its
     * signature, route, parameters, return type, error classes and flags, from the same model as
     * the resource classes. `false`: not written.
     * @default false
     */
    apiReference?: ApiReferenceConfig | false;
    /**
     * Also write the CLI's command table (`packages/cli/src/commands.gen.ts`): one command per
     * operation, typed by the hand-written `command-table.ts` next to it. Fails generation when
     * an operation cannot be a command (see cli.ts). `false`: not written.
     * @default false
     */
    cli?: CliConfig | false;
  };

/** Where the CLI's command table goes. */
export type CliConfig = {
  /** Absolute path of the `commands.gen.ts` to write; it imports `./command-table` (its contract). */
  file: string;
};

/** Where `api.md` goes and what it links to. */
export type ApiReferenceConfig = {
  /** Absolute path of the Markdown file to write. */
  file: string;
  /** Absolute path of the runtime's guide (sections `#errors`, `#pagination`, `#batch`...), linked to. */
  guide?: string;
};

export type Config = Plugin.Name<'codex/operation-table'> &
  Plugin.Hooks & {
    tableName: string;
    typesName: string;
    resources: boolean;
    apiReference: ApiReferenceConfig | false;
    cli: CliConfig | false;
  };

export type OperationTablePlugin = DefinePlugin<UserConfig, Config>;

// hey-api keys plugin names by this map; a custom plugin registers itself in it (as openapi-ts's own do).
declare module '@hey-api/shared' {
  interface PluginConfigMap {
    'codex/operation-table': OperationTablePlugin['Types'];
  }
}
