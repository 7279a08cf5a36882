import { type RunningServer, type StartOptions, startServer } from '@codex/dev-server';
import { afterEach } from 'vitest';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** @codex/dev-server on a free port of 127.0.0.1 with the given keys; closed after the test. */
export async function devServerWith(
  keys: NonNullable<StartOptions['keys']>,
  options: StartOptions = {},
): Promise<RunningServer> {
  const server = await startServer({ port: 0, keys, ...options });
  servers.push(server);
  return server;
}
