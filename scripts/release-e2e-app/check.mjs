// Uses the packages as installed from the registry: @codex/sdk through require (as the auth guide
// does), @codex/node through import, against @codex/dev-server.
import { createRequire } from 'node:module';
import { startServer } from '@codex/dev-server';
import { Client, USER_AGENT, VERSION } from '@codex/node';

const require = createRequire(import.meta.url);
const codex = require('@codex/sdk');
const expected = process.argv[2];

const server = await startServer({ port: 0 });
const [key] = server.keys;
const apiKey = `${key.clientId}:${key.clientSecret}`;
try {
  const viaSdk = new codex.Client({ apiKey, baseUrl: server.url });
  const doc = await viaSdk.documents.create({ title: 'published', content: 'from the registry' });
  const viaNode = new Client({ apiKey, baseUrl: server.url });
  const page = await viaNode.documents.list();
  const agents = new Set(server.admin.requests().map((r) => r.userAgent));
  if (!page.data.some((d) => d.id === doc.id))
    throw new Error('the document written through @codex/sdk was not listed');
  if (VERSION !== expected) throw new Error(`@codex/node reports ${VERSION}, expected ${expected}`);
  if (!agents.has(`codex-sdk-node/${expected} node/${process.versions.node}`))
    throw new Error(`User-Agent ${[...agents]} lacks ${expected}`);
  console.log(
    `✓ installed @codex/sdk and @codex/node ${VERSION} from the registry: created and listed ${doc.id} on Node ${process.versions.node} (${USER_AGENT})`,
  );
} finally {
  await server.close();
}
