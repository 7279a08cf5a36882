import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { createApp } from './app';
import type { ApiKey, DevServerOptions } from './options';
import type { Admin } from './state';

export type StartOptions = DevServerOptions & {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 4010
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
};

export type RunningServer = {
  /** Base URL of the API, e.g. `http://127.0.0.1:4010/v1`. */
  url: string;
  /** Server origin, e.g. `http://127.0.0.1:4010` (the admin API is at `/_admin`). */
  origin: string;
  /** The keys it accepts (generated when none were given). */
  keys: Required<ApiKey>[];
  /** Fault injection, token revocation, settings and the request log, in process. */
  admin: Admin;
  /** Stops listening, ends open connections (hung requests included) and resolves when closed. */
  close(): Promise<void>;
};

/** Starts the Codex dev server on Node. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const { port = 4010, host = '127.0.0.1', ...rest } = options;
  const sockets = new WeakMap<object, number>();
  const { app, state, admin } = createApp(rest, {
    reset: (c) => {
      // Destroying the socket is what a crashed proxy or dropped network looks like to a client.
      (c.env as HttpBindings).incoming.socket.destroy();
    },
    connectionOf: (c) => sockets.get((c.env as HttpBindings).incoming.socket),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  let opened = 0;
  server.on('connection', (socket) => sockets.set(socket, ++opened));
  let closed: Promise<void> | undefined;
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${hostForUrl}:${address.port}`;
  return {
    url: `${origin}/v1`,
    origin,
    keys: [...state.keys.values()],
    admin,
    close: () => {
      // Idempotent: a second call waits for the same close.
      closed ??= new Promise<void>((resolve, reject) => {
        state.closing.abort();
        server.close((error) => {
          if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
          else resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
