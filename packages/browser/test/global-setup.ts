import { type RunningServer, startServer } from '@codex/dev-server';
import type { TestProject } from 'vitest/node';
import { closedUrl, startBlockingServer } from './blocking-server';

// Runs in Node, outside the browser: a dev server for the tests, reached by the page over HTTP
// (a different origin, so CORS is exercised on every request).
export const ADMIN_SECRET = 'browser-admin-secret';
export const READ_WRITE = { clientId: 'cdx_id_browser_rw', clientSecret: 'cdx_sk_browser_rw' };
export const READ_ONLY = { clientId: 'cdx_id_browser_ro', clientSecret: 'cdx_sk_browser_ro', readOnly: true };

let server: RunningServer | undefined;
/** A server of its own for auto-batching (issue 20): a tight rate limit that no other test shares. */
let batching: RunningServer | undefined;
let blocking: Awaited<ReturnType<typeof startBlockingServer>> | undefined;

export async function setup(project: TestProject) {
  server = await startServer({ port: 0, adminSecret: ADMIN_SECRET, keys: [READ_WRITE, READ_ONLY] });
  project.provide('devServer', {
    url: server.url,
    origin: server.origin,
    adminSecret: ADMIN_SECRET,
    readWriteKey: `${READ_WRITE.clientId}:${READ_WRITE.clientSecret}`,
    readOnlyKey: `${READ_ONLY.clientId}:${READ_ONLY.clientSecret}`,
  });
  batching = await startServer({
    port: 0,
    adminSecret: ADMIN_SECRET,
    keys: [READ_WRITE],
    rateLimit: { limit: 3, windowSeconds: 2 },
  });
  project.provide('batchingServer', {
    url: batching.url,
    origin: batching.origin,
    adminSecret: ADMIN_SECRET,
    readWriteKey: `${READ_WRITE.clientId}:${READ_WRITE.clientSecret}`,
  });
  blocking = await startBlockingServer();
  project.provide('blockingServer', { url: blocking.url, closedUrl: await closedUrl() });
}

export async function teardown() {
  await server?.close();
  await batching?.close();
  await blocking?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    devServer: { url: string; origin: string; adminSecret: string; readWriteKey: string; readOnlyKey: string };
    /** Another dev server, limited to 3 requests per 2 s window, for auto-batching. */
    batchingServer: { url: string; origin: string; adminSecret: string; readWriteKey: string };
    /** See blocking-server.ts. `closedUrl`: nothing listens there. */
    blockingServer: { url: string; closedUrl: string };
  }
}
