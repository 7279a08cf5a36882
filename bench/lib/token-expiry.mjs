import { Client } from '@codex/node';

// 1,000 concurrent calls at a token's expiry: a Client with default settings makes one call (its
// token is issued then, with a short lifetime), waits until the token is in its last `margin` ms,
// then starts 1,000 calls at once. The figure is the issueToken requests the server sees for them.

export async function measureTokenExpiry(server, { lifetimeSeconds = 3, margin = 400, calls = 1000, id }) {
  await server.admin('PATCH', '/settings', { tokenLifetimeSeconds: lifetimeSeconds });
  const key = server.keys.expiry;
  const client = new Client({ apiKey: server.apiKey('expiry'), baseUrl: server.url });
  const issuedBefore = Date.now();
  await client.documents.get(id);
  await new Promise((resolve) => setTimeout(resolve, issuedBefore + lifetimeSeconds * 1000 - margin - Date.now()));
  await server.admin('DELETE', '/requests');
  const start = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: calls }, () => client.documents.get(id)));
  const seconds = (performance.now() - start) / 1000;
  await server.admin('PATCH', '/settings', { tokenLifetimeSeconds: 3600 });

  const { requests } = await server.admin('GET', '/requests');
  const mine = requests.filter((r) => r.clientId === key.clientId);
  const rejected = settled.filter((s) => s.status === 'rejected');
  return {
    calls,
    lifetimeSeconds,
    margin,
    seconds,
    tokenRequests: mine.filter((r) => r.operationId === 'issueToken').length,
    requests: mine.length,
    unauthorized: mine.filter((r) => r.status === 401).length,
    failed: rejected.length,
    firstError:
      rejected[0] && `${rejected[0].reason?.code ?? rejected[0].reason?.name}: ${rejected[0].reason?.message}`,
  };
}
