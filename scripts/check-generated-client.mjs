#!/usr/bin/env node
// The Quick start's main job for now: prove the built @codex/core carries the generated client.
const core = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
const ops = Object.values(core.operationTable);
const missing = ops.filter((op) => typeof core.sdk[op.operationId] !== 'function').map((op) => op.operationId);
if (ops.length === 0 || missing.length > 0) {
  console.error(`✗ The generated client is incomplete (missing: ${missing.join(', ') || 'every operation'}).`);
  process.exit(1);
}
console.log(`✓ @codex/core is built (packages/core/dist) with a generated client for ${ops.length} operations:`);
for (const op of ops) {
  const scopes = op.auth ? `scope ${op.scopes.join(' ')}` : 'no auth';
  console.log(`  client.${op.resource}.${op.method}`.padEnd(30) + `${op.httpMethod} ${op.path}`.padEnd(28) + scopes);
}
