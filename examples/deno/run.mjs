// CI: runs main.ts in the real deno binary against a local @codex/dev-server.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';

const here = fileURLToPath(new URL('.', import.meta.url));
const api = await startServer({ port: 0 });
const [key] = api.keys;
const status = await new Promise((resolve) => {
  const child = spawn(
    `${here}node_modules/.bin/deno`,
    ['run', '--allow-net=127.0.0.1', '--allow-env=CODEX_API_KEY,CODEX_BASE_URL', 'main.ts'],
    {
      cwd: here,
      stdio: 'inherit',
      env: {
        ...process.env,
        DENO_NO_UPDATE_CHECK: '1',
        CODEX_API_KEY: `${key.clientId}:${key.clientSecret}`,
        CODEX_BASE_URL: api.url,
      },
    },
  );
  child.on('close', resolve);
});
await api.close();
process.exit(status ?? 1);
