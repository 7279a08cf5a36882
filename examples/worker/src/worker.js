// A Cloudflare Worker using @codex/sdk: wrangler resolves the package to its edge build, which
// takes the API key from a binding (`wrangler secret put CODEX_API_KEY`). CODEX_BASE_URL is only
// set to point the Worker at a local @codex/dev-server; leave it unset for the real API.
import { Client } from '@codex/sdk';

export default {
  async fetch(request, env) {
    const client = new Client({ apiKey: env.CODEX_API_KEY, baseUrl: env.CODEX_BASE_URL });
    return Response.json((await client.documents.list()).data);
  },
};
