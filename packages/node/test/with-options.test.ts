import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { APIConnectionTimeoutError, Client, CodexError, USER_AGENT } from '../src/index';
import { devServerWith } from './helpers';

const KEY = { clientId: 'cdx_id_with', clientSecret: 'cdx_sk_with_options_secret', readOnly: false };
const API_KEY = `${KEY.clientId}:${KEY.clientSecret}`;

describe('client.withOptions (issue 13, item 4)', () => {
  it('gives a Client of the same class with other settings, sharing the token of the original', async () => {
    const server = await devServerWith([KEY]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url });
    const patient = client.withOptions({ timeout: 5_000, maxRetries: 0, headers: { 'X-Team': 'search' } });
    expect(patient).toBeInstanceOf(Client);
    expect(patient).not.toBe(client);
    expect(patient.toJSON()).toMatchObject({ baseUrl: server.url, timeout: 5_000, maxRetries: 0 });
    expect(client.toJSON()).toMatchObject({ timeout: 60_000, maxRetries: 2 });
    expect(inspect(patient)).not.toContain(KEY.clientSecret);
    await client.documents.list();
    await patient.documents.create({ title: 't', content: 'c' });
    const requests = server.admin.requests();
    // One token for both: the same key and base URL.
    expect(requests.filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
    // Its headers are added to the original's: the User-Agent stays.
    expect(requests.find((r) => r.operationId === 'createDocument')?.userAgent).toBe(USER_AGENT);
  });

  it('applies its settings to its own calls only', async () => {
    const server = await devServerWith([KEY]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url });
    const hasty = client.withOptions({ timeout: 200, maxRetries: 0 });
    await client.documents.list();
    server.admin.fault({ operationId: 'listDocuments', type: 'hang', count: 1 });
    await expect(hasty.documents.list()).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    await expect(client.documents.list()).resolves.toMatchObject({ data: [] });
  });

  it('with another baseUrl, talks to that server with a token of its own', async () => {
    const [first, second] = await Promise.all([devServerWith([KEY]), devServerWith([KEY])]);
    const client = new Client({ apiKey: API_KEY, baseUrl: first.url });
    await client.withOptions({ baseUrl: second.url }).documents.list();
    expect(second.admin.requests().map((r) => r.operationId)).toEqual(['issueToken', 'listDocuments']);
    expect(first.admin.requests()).toEqual([]);
  });

  it('checks its overrides like the constructor does', () => {
    const client = new Client({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9' });
    expect(() => client.withOptions({ timeout: -1 })).toThrow(CodexError);
    expect(() => client.withOptions({ timeout: -1 })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    expect(() => client.withOptions(null as never)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });
});
