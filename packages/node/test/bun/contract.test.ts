// The contract suite in the real bun binary (`bun test`), with @codex/node as a Bun user gets it:
// the built package. Started by test/bun-contract.mjs, which runs the dev server and passes its
// address in CODEX_CONTRACT_SERVER. Not a vitest file (vitest.config.ts leaves test/bun/ out).
import { expect, test } from 'bun:test';
import { type ContractEnv, contractScenarios, definedOptions } from '@codex/contract-tests';
import * as sdk from '@codex/node';

const server = JSON.parse(process.env.CODEX_CONTRACT_SERVER ?? '{}') as ContractEnv['server'];

const env: ContractEnv = {
  createClient: (options) =>
    new sdk.Client({
      ...definedOptions(options),
      tokenStore: options.tokenStore as sdk.TokenStore,
      baseUrl: server.url,
      env: {},
    }),
  guards: sdk,
  server,
};

for (const scenario of contractScenarios(env)) test(`contract (Bun): ${scenario.name}`, scenario.run, 30_000);

test('Bun: new Client() reads CODEX_API_KEY and CODEX_BASE_URL', async () => {
  const client = new sdk.Client({ env: { CODEX_API_KEY: server.readWriteKey, CODEX_BASE_URL: server.url } });
  const doc = await client.documents.create({ title: 'from bun', content: Bun.version });
  expect((await client.documents.get(doc.id)).title).toBe('from bun');
  await client.documents.delete(doc.id);
});
