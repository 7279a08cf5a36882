export { defaultConfig, defineConfig } from './config.ts';
export type { OperationTablePlugin } from './types.ts';
