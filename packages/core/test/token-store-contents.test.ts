import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Client, type Fetch, refreshThroughStore, type StoredToken, type TokenStore } from '../src/index';
import { json, rawServer } from './raw-server';

// Issue 18, gate: whatever a token store returns (a file, sessionStorage, Redis, a user's store:
// anything), a call either sends that token, when it is one, or discards it and sends a fresh one
// from the token endpoint; no request ever carries a malformed Authorization header. Both ways a
// store is read: the TokenManager's own read (`tokenStore`), and refreshThroughStore's read at
// refresh time (`coordinateRefresh`). What is sent is read twice: by a fetch that records the
// header it is given (before undici would refuse a bad one), and by the raw server that answers.

const NUM_RUNS = 300;
// Per path; a loaded CI machine gets fewer runs rather than a timeout.
const TIME_LIMIT_MS = 8_000;
const MAX_TOKEN_LENGTH = 8_000;
const WELL_FORMED = /^Bearer [\x21-\x7e]{1,8000}$/;

// ---- What a store may return ----------------------------------------------------------------

const hostileChar = fc.oneof(
  fc.constantFrom('\r', '\n', '\t', ' ', '\0', '\x7f', 'é', '€', '😀', '\uD800', '\u2028', ':', ','),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
);
const visible = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const accessTokens = fc.oneof(
  visible.filter((s) => s.length > 0),
  fc.tuple(visible, hostileChar, visible).map(([a, c, b]) => `${a}${c}${b}`),
  fc.integer({ min: MAX_TOKEN_LENGTH - 1, max: MAX_TOKEN_LENGTH + 2 }).map((n) => 'a'.repeat(n)),
  fc.constantFrom('', 'cdx_at\r\nX-Evil: 1', 'Bearer x', ' cdx_at_x', 'cdx_at_x '),
  fc.anything(),
);
// Offsets from now when numbers (NaN, infinities, huge and negative ones included), else as is.
const numbers = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, -1, 1e-9, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity, -Infinity),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.anything(),
);
/** A StoredToken-like object with hostile fields; expiresAt is turned into a time at run time. */
const storedLike = fc
  .record({ accessToken: accessTokens, expiresAt: numbers, lifetimeMs: numbers }, { requiredKeys: [] })
  .map((r) => ({ kind: 'hostile' as const, value: r, relative: true }));
/** A valid token with most of its life left: it must be sent, and no token requested. */
const fresh = fc
  .record({
    accessToken: visible.filter((s) => s.length > 0 && !s.startsWith('cdx_at_fresh')),
    lifetimeMs: fc.integer({ min: 60_000, max: 24 * 3600_000 }),
    left: fc.double({ min: 0.5, max: 0.85, noNaN: true }),
  })
  .map(({ accessToken, lifetimeMs, left }) => ({
    kind: 'fresh' as const,
    value: { accessToken, expiresAt: lifetimeMs * left, lifetimeMs },
    relative: true,
  }));
const anything = fc.anything().map((value) => ({ kind: 'hostile' as const, value, relative: false }));
const contents = fc.oneof(storedLike, fresh, anything);

type Contents = { kind: 'hostile' | 'fresh'; value: unknown; relative: boolean };

/** The value as the store returns it: offsets become times from now. */
function materialize({ value, relative }: Contents): unknown {
  if (!relative) return value;
  const token = { ...(value as Record<string, unknown>) };
  if (typeof token.expiresAt === 'number') token.expiresAt = Date.now() + token.expiresAt;
  return token;
}

/** The oracle, written apart from the SDK's check: is this a token the SDK may send? */
function isToken(value: unknown): value is StoredToken {
  if (typeof value !== 'object' || value === null) return false;
  const { accessToken, expiresAt, lifetimeMs } = value as Record<string, unknown>;
  return (
    typeof accessToken === 'string' &&
    /^[\x21-\x7e]+$/.test(accessToken) &&
    accessToken.length <= MAX_TOKEN_LENGTH &&
    typeof expiresAt === 'number' &&
    Number.isFinite(expiresAt) &&
    typeof lifetimeMs === 'number' &&
    lifetimeMs > 0 &&
    Number.isFinite(lifetimeMs)
  );
}

/** A store that returns `value` until something is written. */
function storeOf(value: unknown): TokenStore {
  let held = value;
  return {
    get: async () => held as StoredToken | undefined,
    set: async (_key, token) => {
      held = token;
    },
    delete: async () => {
      held = undefined;
    },
  };
}

const emptyStore = () => storeOf(undefined);

// ---- The gate -----------------------------------------------------------------------------

async function gate(path: 'tokenStore' | 'coordinateRefresh') {
  let issued = 0;
  const raw = await rawServer((req, res) => {
    if (req.url.endsWith('/auth/token'))
      return json(res, 200, { access_token: `cdx_at_fresh_${++issued}`, token_type: 'Bearer', expires_in: 3600 });
    json(res, 200, { data: [], next_cursor: null });
  });
  let run = 0;
  await fc.assert(
    fc.asyncProperty(contents, async (contents) => {
      const value = materialize(contents);
      const given: Array<string | null> = [];
      const fetch: Fetch = (input, init) => {
        if (!String(input).endsWith('/auth/token')) given.push(new Headers(init?.headers).get('authorization'));
        return globalThis.fetch(input, init);
      };
      const warnings: string[] = [];
      const before = { issued, requests: raw.requests.length };
      const store = storeOf(value);
      const client = new Client({
        // A key per run: no token is shared between runs.
        apiKey: `cdx_id_gate_${path}_${run++}:cdx_sk_gate`,
        baseUrl: raw.url,
        maxRetries: 0,
        fetch,
        logger: { warn: (m) => warnings.push(m) },
        ...(path === 'tokenStore'
          ? { tokenStore: store }
          : // This process has nothing yet: the store other processes share is read at refresh time.
            { tokenStore: emptyStore(), coordinateRefresh: refreshThroughStore(store, (_k, _w, fn) => fn()) }),
      });
      await client.documents.list();

      const received = raw.requests.slice(before.requests).filter((r) => !r.url.endsWith('/auth/token'));
      const fetched = issued - before.issued;
      const sent = received.map((r) => r.headers.authorization);
      // One call, one request, with a well-formed header, given to fetch as it arrived.
      expect(sent).toHaveLength(1);
      expect(given).toEqual(sent);
      for (const header of [...given, ...sent]) expect(header).toMatch(WELL_FORMED);
      const stored = isToken(value) ? value.accessToken : undefined;
      if (contents.kind === 'fresh') {
        expect(sent).toEqual([`Bearer ${stored}`]);
        expect(fetched).toBe(0);
      } else if (stored === undefined) {
        // Not a token: discarded, and a fresh one requested and sent.
        expect(fetched).toBe(1);
        expect(sent).toEqual([`Bearer cdx_at_fresh_${issued}`]);
      } else {
        // A token with an odd expiry (expired, clamped): sent if still valid, else replaced.
        expect([`Bearer ${stored}`, `Bearer cdx_at_fresh_${issued}`]).toContain(sent[0]);
      }
      // Warnings never quote what the store held.
      const quoted =
        typeof (value as { accessToken?: unknown })?.accessToken === 'string' ? (value as StoredToken).accessToken : '';
      if (quoted.length >= 12) for (const warning of warnings) expect(warning).not.toContain(quoted);
    }),
    {
      numRuns: NUM_RUNS,
      plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
      // The issue's own cases, every run.
      examples: [
        [
          {
            kind: 'hostile',
            value: { accessToken: 'cdx_at\r\nX: 1', expiresAt: 3600_000, lifetimeMs: 3600_000 },
            relative: true,
          },
        ],
        [
          {
            kind: 'hostile',
            value: { accessToken: { a: 1 }, expiresAt: 3600_000, lifetimeMs: 3600_000 },
            relative: true,
          },
        ],
        [
          {
            kind: 'hostile',
            value: { accessToken: 'a'.repeat(10_000), expiresAt: 3600_000, lifetimeMs: 3600_000 },
            relative: true,
          },
        ],
        [{ kind: 'hostile', value: { accessToken: 'cdx_at_x', expiresAt: null, lifetimeMs: 1e308 }, relative: true }],
        [
          {
            kind: 'hostile',
            value: { accessToken: 'cdx_at_x', expiresAt: Number.NaN, lifetimeMs: 3600_000 },
            relative: true,
          },
        ],
        [{ kind: 'hostile', value: { accessToken: 'cdx_at_x', expiresAt: 1e308, lifetimeMs: 1e308 }, relative: true }],
      ],
    },
  );
}

describe('whatever a token store returns, no malformed Authorization header is sent (issue 18 gate)', () => {
  it('through the TokenManager’s own store read (tokenStore)', () => gate('tokenStore'), 30_000);
  it('through refreshThroughStore (coordinateRefresh)', () => gate('coordinateRefresh'), 30_000);
});
