#!/usr/bin/env node
// The contract suite in the real bun binary (1.4.5 from npm), against @codex/dev-server over real
// HTTP: starts the server here (Node), then `bun test test/bun/` with its address. Exits non-zero
// on any failure, or when bun ran fewer tests than the suite has.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';

const here = fileURLToPath(new URL('..', import.meta.url));
const keys = [
  { clientId: 'cdx_id_bun_rw', clientSecret: 'cdx_sk_bun_rw' },
  { clientId: 'cdx_id_bun_ro', clientSecret: 'cdx_sk_bun_ro', readOnly: true },
];
const server = await startServer({ port: 0, adminSecret: 'bun-admin', keys });
const info = {
  url: server.url,
  origin: server.origin,
  adminSecret: 'bun-admin',
  readWriteKey: 'cdx_id_bun_rw:cdx_sk_bun_rw',
  readOnlyKey: 'cdx_id_bun_ro:cdx_sk_bun_ro',
};
let output = '';
const status = await new Promise((resolve) => {
  // Asynchronous: the dev server runs in this process and must keep answering meanwhile.
  const child = spawn(`${here}node_modules/.bin/bun`, ['test', './test/bun/contract.test.ts'], {
    cwd: here,
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, CODEX_CONTRACT_SERVER: JSON.stringify(info), NO_COLOR: '1' },
  });
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    output += chunk;
  });
  child.on('close', resolve);
  child.on('error', (error) => {
    console.error(`bun could not start: ${error.message}`);
    resolve(1);
  });
});
await server.close();
const passed = Number(/(\d+) pass/.exec(output)?.[1] ?? 0);
if (status !== 0 || passed < 14) {
  console.error(`✗ contract suite under Bun failed (exit ${status}, ${passed} passed)`);
  process.exit(1);
}
console.log(`✓ contract suite under Bun: ${passed} passed`);
