// Run by bun-smoke.mjs in the real bun binary: @codex/node as a Bun user gets it (the built package).
import { Client } from '@codex/node';

const client = new Client();
const doc = await client.documents.create({ title: 'from bun', content: Bun.version });
const page = await client.documents.list();
await client.documents.delete(doc.id);
console.log(`bun ${Bun.version}: created, listed (${page.data.length}) and deleted ${doc.id}`);
