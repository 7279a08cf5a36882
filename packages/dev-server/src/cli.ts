#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { unimplemented } from './operations';
import { apiKeyString, type DevServerOptions } from './options';
import { startServer } from './server';

const HELP = `codex-dev-server: a local Codex API (auth, rate limits, idempotency, batch, fault injection)

Usage: codex-dev-server [--port 4010] [--host 127.0.0.1] [--config FILE] [--admin-secret SECRET]

  --port N              port to listen on (0: any free port)       default 4010
  --host HOST           interface to listen on                     default 127.0.0.1
  --config FILE         JSON: {keys: [{clientId, clientSecret, readOnly?}], tokenLifetimeSeconds?,
                        rateLimit?: {limit?, windowSeconds?}, retryAfterFormat?: "seconds"|"http-date",
                        adminSecret?}
  --admin-secret SECRET turn on the admin API (/_admin/*) for fault injection and the request log
  --token-lifetime N    access token lifetime in seconds           default 3600
  --rate-limit N        requests per window per client ID          default 1000
  --rate-window N       rate-limit window in seconds               default 60
  -h, --help            this help

With no keys configured, one read-write and one read-only key are created and printed.`;

function fatal(message: string): never {
  console.error(`codex-dev-server: ${message}`);
  process.exit(2);
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fatal(`${flag} must be a number, got "${value}"`);
  return n;
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      'admin-secret': { type: 'string' },
      'token-lifetime': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-window': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  fatal(`${(error as Error).message}\n\n${HELP}`);
}
const { values } = args;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

let config: DevServerOptions = {};
if (values.config) {
  try {
    config = JSON.parse(readFileSync(values.config, 'utf8'));
  } catch (error) {
    fatal(`cannot read --config ${values.config}: ${(error as Error).message}`);
  }
}
const tokenLifetimeSeconds = number('--token-lifetime', values['token-lifetime']);
const limit = number('--rate-limit', values['rate-limit']);
const windowSeconds = number('--rate-window', values['rate-window']);
const options: DevServerOptions = {
  ...config,
  ...(tokenLifetimeSeconds !== undefined && { tokenLifetimeSeconds }),
  ...((limit !== undefined || windowSeconds !== undefined) && {
    rateLimit: {
      ...config.rateLimit,
      ...(limit !== undefined && { limit }),
      ...(windowSeconds !== undefined && { windowSeconds }),
    },
  }),
  ...(values['admin-secret'] !== undefined && { adminSecret: values['admin-secret'] }),
};

try {
  const server = await startServer({
    ...options,
    port: number('--port', values.port) ?? 4010,
    host: values.host ?? '127.0.0.1',
  });
  console.log(`Codex dev server listening on ${server.url}`);
  for (const key of server.keys) {
    console.log(`  CODEX_API_KEY=${apiKeyString(key)}   (${key.readOnly ? 'read-only' : 'read-write'} key)`);
  }
  if (options.adminSecret) console.log(`  admin API: ${server.origin}/_admin (X-Admin-Secret)`);
  if (unimplemented.length) {
    console.log(`  no handler yet (they answer 501 not_implemented): ${unimplemented.join(', ')}`);
  }
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  fatal((error as Error).message);
}
