// The contract suite inside real workerd: a Worker that runs one scenario per request
// (GET /run?name=...), with @codex/sdk resolved as wrangler resolves it (its edge build), against
// @codex/dev-server on 127.0.0.1. Bundled and started by test/workerd.test.ts.
import { type ContractEnv, contractScenarios, definedOptions } from '@codex/contract-tests';
import * as sdk from '@codex/sdk';

type Env = { CODEX_CONTRACT_SERVER: string };

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const server = JSON.parse(env.CODEX_CONTRACT_SERVER) as ContractEnv['server'];
    // The edge build's User-Agent (the type checker resolves @codex/sdk without the Worker conditions).
    if (url.pathname === '/build') return Response.json({ userAgent: (sdk as { USER_AGENT?: string }).USER_AGENT });
    if (url.pathname === '/redirect') {
      // An API that answers with a redirect to another origin: RedirectError, and no request there.
      const client = new sdk.Client({ apiKey: server.readWriteKey, baseUrl: url.searchParams.get('baseUrl') ?? '' });
      const error = await client.documents.list().then(
        () => null,
        (e: unknown) => e as Error,
      );
      return Response.json({ name: error?.name, message: error?.message });
    }
    if (url.pathname === '/hang') {
      // One call to an API that does not answer (the test injects a `hang` fault), with the edge
      // build's defaults but for `options` (JSON). The client's clock (its deadline and backoff)
      // runs `speedup` times faster than real time, so that a 20 s deadline passes in 0.2 s at 100;
      // attempt timeouts keep real time. The call is given up after 5 s of real time.
      const speedup = Number(url.searchParams.get('speedup') ?? '1');
      const start = Date.now();
      const clock: sdk.Clock = {
        now: () => start + (Date.now() - start) * speedup,
        sleep: (ms, signal) => sdk.systemClock.sleep(ms / speedup, signal),
      };
      // Its own token store: the shared one would keep a token timed by this clock.
      const tokens = new Map<string, sdk.StoredToken>();
      const client = new sdk.Client({
        apiKey: server.readWriteKey,
        baseUrl: server.url,
        clock,
        tokenStore: {
          get: async (key) => tokens.get(key),
          set: async (key, token) => void tokens.set(key, token),
          delete: async (key) => void tokens.delete(key),
        },
        ...(JSON.parse(url.searchParams.get('options') ?? '{}') as sdk.ClientSettings),
      });
      const error = await client.documents.list({}, { signal: AbortSignal.timeout(5_000) }).then(
        () => null,
        (e: unknown) => e as sdk.CodexError,
      );
      return Response.json({ name: error?.name, code: error?.code, message: error?.message, ...client.toJSON() });
    }
    if (url.pathname === '/batching') {
      // Issue 20: 20 concurrent creates and an invalid one against `baseUrl`, a dev server that
      // allows 3 requests per 2 s window: those that would wait for a pacing slot are folded into
      // batch requests. Reports how each call settled (error classes are checked here, in the isolate).
      const client = new sdk.Client({ apiKey: server.readWriteKey, baseUrl: url.searchParams.get('baseUrl') ?? '' });
      const titles = Array.from({ length: 20 }, (_, i) => `from workerd ${i}`);
      const settled = await Promise.allSettled([
        ...titles.map((title) => client.documents.create({ title, content: 'x' })),
        client.documents.create({ title: '', content: 'x' }),
      ]);
      const describe = (result: PromiseSettledResult<sdk.Document>) => {
        if (result.status === 'fulfilled') return { id: result.value.id, title: result.value.title };
        const error = result.reason as sdk.APIError;
        return {
          name: error?.name,
          message: error?.message,
          isBadRequestError: error instanceof sdk.BadRequestError,
          isAPIError: sdk.isAPIError(error),
          status: error?.status,
          code: error?.code,
          requestId: error?.requestId,
        };
      };
      return Response.json({ titles, results: settled.map(describe) });
    }
    if (url.pathname === '/log') {
      // logLevel without a logger: the edge build logs to the isolate's console.
      const names = ['log', 'debug', 'info', 'warn', 'error'] as const;
      const original = names.map((name) => console[name]);
      const lines: string[] = [];
      for (const name of names) console[name] = (first: unknown) => lines.push(`${name} ${first}`);
      try {
        const client = new sdk.Client({ apiKey: server.readWriteKey, baseUrl: server.url, logLevel: 'debug' });
        await client.documents.list();
        await client.documents.get('doc_missing').catch(() => {});
      } finally {
        names.forEach((name, i) => {
          console[name] = original[i] as (typeof console)[typeof name];
        });
      }
      return Response.json({ lines });
    }
    const scenarios = contractScenarios({
      createClient: (options) =>
        new sdk.Client({
          ...definedOptions(options),
          tokenStore: options.tokenStore as sdk.TokenStore,
          baseUrl: server.url,
        }),
      guards: sdk,
      server,
    });
    const scenario = scenarios.find((s) => s.name === url.searchParams.get('name'));
    if (!scenario) return Response.json({ ok: false, error: 'no such scenario' }, { status: 404 });
    try {
      await scenario.run();
      return Response.json({ ok: true });
    } catch (error) {
      return Response.json({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  },
};
