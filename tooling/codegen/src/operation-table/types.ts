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
  };

export type Config = Plugin.Name<'codex/operation-table'> &
  Plugin.Hooks & {
    tableName: string;
    typesName: string;
    resources: boolean;
  };

export type OperationTablePlugin = DefinePlugin<UserConfig, Config>;

// hey-api keys plugin names by this map; a custom plugin registers itself in it (as openapi-ts's own do).
declare module '@hey-api/shared' {
  interface PluginConfigMap {
    'codex/operation-table': OperationTablePlugin['Types'];
  }
}
