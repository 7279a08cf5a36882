// A Deno script using @codex/deno:
//   CODEX_API_KEY=… CODEX_BASE_URL=http://127.0.0.1:4010/v1 \
//     deno run --allow-net=127.0.0.1 --allow-env=CODEX_API_KEY,CODEX_BASE_URL main.ts
import { Client } from '@codex/deno';

const client = new Client();
const doc = await client.documents.create({ title: 'Written from Deno', content: `deno ${Deno.version.deno}` });
let count = 0;
for await (const d of client.documents.list()) {
  console.log(`${d.id}: ${d.title}`);
  count++;
}
await client.documents.delete(doc.id);
console.log(`deno example: listed ${count} document(s), created and deleted ${doc.id}`);
