import { describe, expect, it } from 'vitest';
import { call, expectError, manualClock, RO, RW, start, tokenFor } from './helpers';

describe('rate limit per client ID', () => {
  it('allows `limit` requests a window, then 429 rate_limited with Retry-After in seconds', async () => {
    const clock = manualClock();
    const server = await start({ now: clock.now, rateLimit: { limit: 4, windowSeconds: 10 } });
    const token = await tokenFor(server); // the token request counts: 1
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(server, 'GET', '/documents', { token });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    clock.advance(2_500);
    const limited = await call(server, 'GET', '/documents', { token });
    expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('8');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('4');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('8');
  });

  it('says Retry-After as an HTTP-date when configured so', async () => {
    const clock = manualClock(Date.parse('2026-10-21T07:27:48Z'));
    const server = await start({
      now: clock.now,
      rateLimit: { limit: 1, windowSeconds: 12 },
      retryAfterFormat: 'http-date',
    });
    await tokenFor(server);
    const res = await call(server, 'POST', '/auth/token', {
      body: { client_id: RW.clientId, client_secret: RW.clientSecret },
    });
    expectError(res, 429, 'rate_limited');
    expect(res.headers.get('retry-after')).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
  });

  it('opens a new window after the reset', async () => {
    const clock = manualClock();
    const server = await start({ now: clock.now, rateLimit: { limit: 2, windowSeconds: 60 } });
    const token = await tokenFor(server);
    await call(server, 'GET', '/documents', { token });
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(429);
    clock.advance(59_999);
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(429);
    clock.advance(1);
    const res = await call(server, 'GET', '/documents', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(res.headers.get('x-ratelimit-reset')).toBe('60');
  });

  it('counts per client ID: one key at its limit does not limit another', async () => {
    const server = await start({ rateLimit: { limit: 2, windowSeconds: 60 } });
    const rw = await tokenFor(server, RW);
    await call(server, 'GET', '/documents', { token: rw });
    expect((await call(server, 'GET', '/documents', { token: rw })).status).toBe(429);
    const ro = await tokenFor(server, RO);
    expect((await call(server, 'GET', '/documents', { token: ro })).status).toBe(200);
  });

  it('counts a batch of 100 operations as one request', async () => {
    const server = await start({ rateLimit: { limit: 3, windowSeconds: 60 } });
    const token = await tokenFor(server);
    const operations = Array.from({ length: 100 }, (_, i) => ({
      op: 'create',
      document: { title: `${i}`, content: 'c' },
    }));
    const res = await call(server, 'POST', '/documents/batch', { token, body: { operations } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('limits can be changed while the server runs (admin)', async () => {
    const server = await start();
    server.admin.configure({ rateLimit: { limit: 1 } });
    await tokenFor(server);
    expect(
      (await call(server, 'POST', '/auth/token', { body: { client_id: RW.clientId, client_secret: RW.clientSecret } }))
        .status,
    ).toBe(429);
  });
});
