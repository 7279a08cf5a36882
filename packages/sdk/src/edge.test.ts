import { describe, expect, it } from 'vitest';
import { Client, type ClientSettings, type Clock, type Fetch, isCodexError, type RequestOptions } from './edge';

// Issue 18, item 24: the edge build's default deadline and timeout, read back without waiting.
// test/workerd.test.ts runs a call against a hung API in real workerd.

/** Answers the token request; leaves every other request unanswered until it is aborted. */
const hungApi: Fetch = async (url, init) => {
  if (url.endsWith('/auth/token'))
    return Response.json({ access_token: 'tok_edge', token_type: 'Bearer', expires_in: 3600 });
  return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
};

/** A clock whose every wait is over at once: a call's deadline passes as soon as it starts. */
const instantClock = (): Clock => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
};

const client = (options: ClientSettings = {}) =>
  new Client({
    apiKey: 'cdx_id_edge:cdx_sk_edge',
    baseUrl: 'http://127.0.0.1:9/v1',
    fetch: hungApi,
    clock: instantClock(),
    ...options,
  });

/** How a call to the hung API ends. Without a deadline it would hang: it is given up after 2 s. */
async function failure(c: Client, options: RequestOptions = {}) {
  const error = await c.documents.list({}, { signal: AbortSignal.timeout(2_000), ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCodexError(error)) throw error;
  return { name: error.name, code: error.code, message: error.message };
}

const deadlineOf = (ms: number) => ({
  name: 'APIConnectionTimeoutError',
  code: 'deadline_exceeded',
  message: `The call exceeded its deadline of ${ms} ms.`,
});

describe('edge Client defaults', () => {
  it('gives each call a 20 s deadline and each attempt an 8 s timeout', async () => {
    const c = client();
    expect(await failure(c)).toEqual(deadlineOf(20_000));
    expect(c.toJSON()).toMatchObject({ timeout: 8_000, maxRetries: 2 });
  });

  it('lets a deadline or timeout passed to the Client, to withOptions or to a call win', async () => {
    const c = client({ deadline: 1_234, timeout: 30_000 });
    expect(await failure(c)).toEqual(deadlineOf(1_234));
    expect(c.toJSON().timeout).toBe(30_000);
    expect(await failure(c, { deadline: 500 })).toEqual(deadlineOf(500));
    const other = c.withOptions({ deadline: 90_000, timeout: 2_000 });
    expect(other).toBeInstanceOf(Client);
    expect(await failure(other)).toEqual(deadlineOf(90_000));
    expect(other.toJSON().timeout).toBe(2_000);
  });

  it('keeps the deadline and timeout for an undefined one (an unset variable does not remove the bound)', async () => {
    const unset = { deadline: undefined, timeout: undefined } as unknown as ClientSettings;
    const c = client(unset);
    expect(await failure(c)).toEqual(deadlineOf(20_000));
    expect(c.toJSON().timeout).toBe(8_000);
    const raised = client({ deadline: 60_000, timeout: 10_000 }).withOptions(unset);
    expect(await failure(raised)).toEqual(deadlineOf(60_000));
    expect(raised.toJSON().timeout).toBe(10_000);
    // Other overrides still apply.
    expect(c.withOptions({ ...unset, maxRetries: 0 }).toJSON()).toMatchObject({ timeout: 8_000, maxRetries: 0 });
  });
});
