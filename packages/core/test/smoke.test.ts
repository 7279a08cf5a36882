import { expect, it } from 'vitest';
import { clientFor, devServer, tokenRequests } from './helpers';

it('smoke', async () => {
  const server = await devServer();
  const client = clientFor(server);
  const doc = await client.documents.create({ title: 'a', content: 'b' });
  expect(doc.title).toBe('a');
  const page = await client.documents.list();
  expect(page.data.map((d) => d.id)).toEqual([doc.id]);
  expect((await client.documents.get(doc.id)).id).toBe(doc.id);
  expect((await client.documents.update(doc.id, { title: 'c' })).title).toBe('c');
  await client.documents.delete(doc.id);
  const results = await client.documents.batch([{ op: 'create', document: { title: 'x', content: 'y' } }]);
  expect(results[0]?.status).toBe(201);
  expect(tokenRequests(server)).toBe(1);
});
