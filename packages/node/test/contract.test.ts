import { type ContractEnv, contractScenarios, definedOptions } from '@codex/contract-tests';
import { type RunningServer, startServer } from '@codex/dev-server';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as sdk from '../src/index';

// The contract suite, on Node, against @codex/dev-server over HTTP.
let server: RunningServer;
const env = {
  createClient: (options) =>
    new sdk.Client({
      ...definedOptions(options),
      tokenStore: options.tokenStore as sdk.TokenStore,
      baseUrl: server.url,
    }),
  guards: sdk,
  server: {} as ContractEnv['server'],
} satisfies ContractEnv as ContractEnv;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    adminSecret: 'contract-admin',
    keys: [
      { clientId: 'cdx_id_contract_rw', clientSecret: 'cdx_sk_contract_rw' },
      { clientId: 'cdx_id_contract_ro', clientSecret: 'cdx_sk_contract_ro', readOnly: true },
    ],
  });
  Object.assign(env.server, {
    url: server.url,
    origin: server.origin,
    adminSecret: 'contract-admin',
    readWriteKey: 'cdx_id_contract_rw:cdx_sk_contract_rw',
    readOnlyKey: 'cdx_id_contract_ro:cdx_sk_contract_ro',
  });
});
afterAll(() => server.close());

describe('contract (Node)', () => {
  for (const scenario of contractScenarios(env)) it(scenario.name, scenario.run, 20_000);
});
