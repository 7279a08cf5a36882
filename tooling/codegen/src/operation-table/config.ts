import { definePluginConfig } from '@hey-api/openapi-ts';
import { handler } from './plugin.ts';
import type { OperationTablePlugin } from './types.ts';

export const defaultConfig: OperationTablePlugin['Config'] = {
  config: {
    tableName: 'operations',
    typesName: 'OperationTypes',
    resources: true,
    apiReference: false,
    cli: false,
  },
  // The table references the request/response types, so those must exist first.
  dependencies: ['@hey-api/typescript'],
  handler,
  name: 'codex/operation-table',
};

/** The `codex/operation-table` plugin: a typed table of every operation for the hand-written runtime. */
export const defineConfig = definePluginConfig(defaultConfig);
