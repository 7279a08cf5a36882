export { BANNER, type CodexGenerateOptions, codexConfig } from './config.ts';
export { RESERVED_FLAGS } from './operation-table/cli.ts';
export type { BatchableEntry, BatchEntry, OperationEntry, PaginationEntry } from './operation-table/collect.ts';
export type { OperationTablePlugin } from './operation-table/index.ts';
export { defaultConfig as operationTableDefaults, defineConfig as operationTable } from './operation-table/index.ts';
export type { ApiReferenceConfig, CliConfig } from './operation-table/types.ts';
