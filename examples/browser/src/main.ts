import { Client, isAPIError } from '@codex/browser';

// The page never sees the API key: its backend (serve.mjs, with @codex/node) exchanges the key
// and hands out short-lived tokens at /codex-token.
const status = document.querySelector('#status') as HTMLElement;
const list = document.querySelector('#documents') as HTMLElement;

async function main() {
  const { baseUrl } = await (await fetch('/config.json')).json();
  const client = new Client({
    baseUrl,
    tokenProvider: async () => (await fetch('/codex-token')).json(),
  });
  await client.documents.create({
    title: `Written from ${navigator.userAgent.split(' ')[0]}`,
    content: 'Hello from the page.',
  });
  let count = 0;
  for await (const doc of client.documents.list()) {
    const item = document.createElement('li');
    item.textContent = `${doc.id}: ${doc.title}`;
    list.append(item);
    count++;
  }
  status.textContent = `${count} document(s)`;
  document.body.dataset.status = 'ok';
}

main().catch((error: unknown) => {
  status.textContent = isAPIError(error) ? `${error.code}: ${error.message}` : String(error);
  document.body.dataset.status = 'error';
});
