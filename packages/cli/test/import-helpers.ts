import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@codex/dev-server';
import { expect } from 'vitest';

// What the import tests share: input files, the summary, the server's record of batch requests.

export const KEY = 'import-2026-12-02';
/** Generous: CI runs every package's tests at once on 2 cores. */
export const WAIT_MS = 60_000;

export const rows = (count: number, prefix = 'Row') =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ title: `${prefix} ${i}`, content: `Line ${i + 1}` }));

export function writeRows(dir: string, lines: string[], name = 'rows.jsonl'): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export type Summary = {
  lines: number;
  imported: number;
  failed: number;
  replayed: number;
  requests: number;
  seconds: number;
  changed: number;
  not_confirmed: number;
  failed_file: string | null;
  idempotency_key: string;
  interrupted_after_line: number | null;
};
export const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;

export const batches = (server: RunningServer) =>
  server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
/** Chunk keys the API applied (answered fresh with 200). */
export const applied = (server: RunningServer) =>
  batches(server)
    .filter((r) => r.status === 200 && !r.replayed)
    .map((r) => r.idempotencyKey as string)
    .sort();

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Until the request log has not changed for 300 ms: what a killed process had sent is done with. */
export async function quiet(server: RunningServer): Promise<void> {
  let last = '';
  let same = 0;
  while (same < 3) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(server.admin.requests());
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

export function expectExactly(documents: Array<{ title: string }>, count: number, prefix = 'Row') {
  expect(documents).toHaveLength(count);
  expect(new Set(documents.map((d) => d.title))).toEqual(
    new Set(Array.from({ length: count }, (_, i) => `${prefix} ${i}`)),
  );
}
