// The contract suite, in the real deno binary, against @codex/dev-server (started by test/run.mjs,
// which passes its address as an argument: no --allow-env needed).
import { type ContractEnv, contractScenarios, definedOptions } from '@codex/contract-tests';
import * as sdk from '../mod.ts';

const server = JSON.parse(Deno.args[0] ?? '{}') as ContractEnv['server'];

const env: ContractEnv = {
  createClient: (options) =>
    new sdk.Client({
      ...definedOptions(options),
      tokenStore: options.tokenStore as sdk.TokenStore,
      baseUrl: server.url,
    }),
  guards: sdk,
  server,
};

for (const scenario of contractScenarios(env)) {
  Deno.test({
    name: `contract (Deno): ${scenario.name}`,
    fn: scenario.run,
    sanitizeOps: false,
    sanitizeResources: false,
  });
}
