// Run by test/run.mjs (issue 18, item 3): a short-lived process whose token is due for a
// background refresh while the token endpoint hangs. Prints `done <Date.now()>` once the refresh
// is held by the server, after its last call; run.mjs measures how long the process lives on. An injected clock moves the
// token into its refresh window: no sleeping.
import { Client } from '../mod.ts';

const [origin, adminSecret] = Deno.args as [string, string];
let offset = 0;
const clock = {
  now: () => Date.now() + offset,
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    }),
};
const client = new Client({ clock, random: () => 0 });
await client.documents.list();
// The token endpoint hangs from now on.
await fetch(`${origin}/_admin/faults`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-admin-secret': adminSecret },
  body: JSON.stringify({ operationId: 'issueToken', type: 'hang', count: 10 }),
}).then((response) => response.arrayBuffer());
// 3,400 s later the 3,600-s token is inside its refresh window (the last 300 s; random 0 puts the
// start at its beginning) but not its last 30 s: the call uses it, and a refresh starts in the background.
offset = 3_400_000;
await client.documents.list();
// Until the refresh has reached the token endpoint, which holds it: then, nothing is left to do.
const tokenRequests = async () => {
  const response = await fetch(`${origin}/_admin/requests`, { headers: { 'x-admin-secret': adminSecret } });
  const { requests } = (await response.json()) as { requests: { operationId: string }[] };
  return requests.filter((r) => r.operationId === 'issueToken').length;
};
while ((await tokenRequests()) < 2);
console.log(`done ${Date.now()}`);
