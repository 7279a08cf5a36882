import { type ContractEnv, contractScenarios, definedOptions } from '@codex/contract-tests';
import { describe, inject, it } from 'vitest';
import * as sdk from '../src/index';

// The contract suite, in real Chromium, against @codex/dev-server on another origin (CORS).
const server = inject('devServer');
const env: ContractEnv = {
  createClient: (options) =>
    new sdk.Client({
      ...definedOptions(options),
      tokenStore: options.tokenStore as sdk.TokenStore,
      baseUrl: server.url,
      // The suite drives the client with API keys; real pages use tokenProvider (see browser.test.ts).
      dangerouslyAllowBrowser: true,
      // Each scenario starts from an empty server and a client with no token: no sharing between
      // the scenarios' clients (tab sharing is tested in browser.test.ts).
      shareAcrossTabs: false,
    }),
  guards: sdk,
  server,
};

describe('contract (Chromium)', () => {
  it('runs in a real browser', () => {
    if (!navigator.userAgent.includes('Chrome')) throw new Error(`not Chromium: ${navigator.userAgent}`);
  });
  for (const scenario of contractScenarios(env)) it(scenario.name, scenario.run);
});
