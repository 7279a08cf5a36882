import { fileURLToPath } from 'node:url';
import { codexConfig } from './src/config.ts';

// `pnpm generate`: openapi/codex.yaml -> packages/core/src/generated/*.gen.ts
export default codexConfig({
  input: fileURLToPath(new URL('../../openapi/codex.yaml', import.meta.url)),
  output: fileURLToPath(new URL('../../packages/core/src/generated', import.meta.url)),
});
