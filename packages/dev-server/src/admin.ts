import { type Context, Hono } from 'hono';
import type { DevServerState, SettingsPatch } from './state';
import type { FaultInput } from './state/faults';

/** Compares without an early exit, so response timing does not reveal the secret. */
function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const problem = (c: Context, status: 400 | 401 | 404, message: string) =>
  c.json({ error: { code: 'admin', message } }, status);

async function json<T>(c: Context): Promise<T | undefined> {
  try {
    return (await c.req.json()) as T;
  } catch {
    return undefined;
  }
}

/**
 * The admin API, outside /v1 and off unless `adminSecret` is set; every call sends the secret
 * as `X-Admin-Secret`. Mirrors the programmatic `admin` object:
 * - POST /_admin/faults {method?, path?, operationId?, count?, type, status?, retryAfter?, retryAfterFormat?}
 * - GET /_admin/faults, DELETE /_admin/faults
 * - POST /_admin/tokens/revoke
 * - GET /_admin/settings, PATCH /_admin/settings {tokenLifetimeSeconds?, rateLimit?, retryAfterFormat?}
 * - GET /_admin/requests, DELETE /_admin/requests
 * - POST /_admin/reset
 */
export function adminRoutes(state: DevServerState) {
  const admin = state.admin();
  const routes = new Hono();
  routes.use('*', async (c, next) => {
    const secret = state.options.adminSecret;
    if (!secret) return problem(c, 404, 'The admin API is off; start the server with an admin secret.');
    if (!sameSecret(c.req.header('X-Admin-Secret') ?? '', secret))
      return problem(c, 401, 'Send the admin secret as X-Admin-Secret.');
    await next();
  });
  routes.post('/faults', async (c) => {
    const input = await json<FaultInput>(c);
    if (!input || !['status', 'reset', 'hang', 'lose-response'].includes(input.type)) {
      return problem(c, 400, "type must be 'status', 'reset', 'hang' or 'lose-response'.");
    }
    try {
      return c.json(admin.fault(input), 201);
    } catch (error) {
      return problem(c, 400, (error as Error).message);
    }
  });
  routes.get('/faults', (c) => c.json({ faults: admin.faults() }));
  routes.delete('/faults', (c) => {
    admin.clearFaults();
    return c.body(null, 204);
  });
  routes.post('/tokens/revoke', (c) => c.json({ revoked: admin.revokeTokens() }));
  routes.get('/settings', (c) => c.json(admin.settings()));
  routes.patch('/settings', async (c) => {
    const patch = await json<SettingsPatch>(c);
    if (!patch) return problem(c, 400, 'Send settings as JSON.');
    try {
      return c.json(admin.configure(patch));
    } catch (error) {
      return problem(c, 400, (error as Error).message);
    }
  });
  routes.get('/requests', (c) => c.json({ requests: admin.requests() }));
  routes.delete('/requests', (c) => {
    admin.clearRequests();
    return c.body(null, 204);
  });
  routes.post('/reset', (c) => {
    admin.reset();
    return c.body(null, 204);
  });
  return routes;
}
