import { type RunningServer, type StartOptions, startServer } from '@codex/dev-server';
import { afterEach } from 'vitest';
import { Client, type ClientOptions } from '../src/index';

export const RW = { clientId: 'cdx_id_rw', clientSecret: 'cdx_sk_rw_secret', readOnly: false };
export const RO = { clientId: 'cdx_id_ro', clientSecret: 'cdx_sk_ro_secret', readOnly: true };

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** @codex/dev-server on a free port of 127.0.0.1; closed after the test. */
export async function devServer(options: StartOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, keys: [RW, RO], ...options });
  running.push(server);
  return server;
}

/**
 * A client of `server`. Each test's server has a new port, so clients of different tests never
 * share a token or a pacing bucket (both are keyed by baseUrl).
 */
export function clientFor(server: RunningServer, key = RW, options: Partial<ClientOptions> = {}): Client {
  return new Client({ apiKey: `${key.clientId}:${key.clientSecret}`, baseUrl: server.url, ...options });
}

export function tokenRequests(server: RunningServer): number {
  return server.admin.requests().filter((r) => r.operationId === 'issueToken').length;
}

/**
 * Real time plus what the SDK has waited: `sleep` returns at once (after a macrotask) and moves
 * `now` on, so retry and pacing waits take no real time and are recorded in `waits`. For calls
 * without a deadline (a deadline is a sleep that must not end early).
 */
export function virtualClock() {
  let offset = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now() + offset,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        waits.push(ms);
        offset += ms;
        setTimeout(resolve, 0);
      }),
  };
}
