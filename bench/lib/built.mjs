import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

// The built entry points the benchmark imports. Another build of the workspace (tsup cleans dist
// first) can remove them for a few seconds; wait for them rather than measure a missing package.

const entries = ['node/dist/index.js', 'core/dist/index.js', 'browser/dist/index.js', 'dev-server/dist/cli.js'].map(
  (path) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url)),
);

export async function waitForBuild(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!entries.every((file) => existsSync(file))) {
    if (Date.now() > deadline) throw new Error(`built packages missing (run pnpm build): ${entries.join(', ')}`);
    await sleep(250);
  }
}
