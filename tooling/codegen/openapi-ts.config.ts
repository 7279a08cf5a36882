import { fileURLToPath } from 'node:url';
import { codexConfig } from './src/config.ts';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const input = path('../../openapi/codex.yaml');

// `pnpm generate`: openapi/codex.yaml -> packages/*/src/generated/*.gen.ts, the API reference,
// api.md at the repository's root (next to README.md, as in openai-node), and the CLI's commands,
// packages/cli/src/commands.gen.ts (next to its hand-written contract, command-table.ts).
export default [
  codexConfig(
    {
      input,
      output: path('../../packages/core/src/generated'),
      apiReference: { file: path('../../api.md'), guide: path('../../README.md') },
      cli: { file: path('../../packages/cli/src/commands.gen.ts') },
    },
    'client',
  ),
  codexConfig({ input, output: path('../../packages/dev-server/src/generated') }, 'server'),
];
