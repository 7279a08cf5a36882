import { fileURLToPath } from 'node:url';
import { codexConfig } from './src/config.ts';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const input = path('../../openapi/codex.yaml');

// `pnpm generate`: openapi/codex.yaml -> packages/*/src/generated/*.gen.ts, and the API reference,
// api.md at the repository's root (next to README.md, as in openai-node).
export default [
  codexConfig(
    {
      input,
      output: path('../../packages/core/src/generated'),
      apiReference: { file: path('../../api.md'), guide: path('../../README.md') },
    },
    'client',
  ),
  codexConfig({ input, output: path('../../packages/dev-server/src/generated') }, 'server'),
];
