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
