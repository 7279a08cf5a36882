import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codex, devServer, environment, jsonLines, RO } from './helpers';

// Every generated command, run as `node dist/cli.js …` against @codex/dev-server (issue 23).

const doc = (run: { stdout: string }) =>
  JSON.parse(run.stdout) as { id: string; title: string; content: string; metadata: Record<string, string> };

describe('codex <resource> <command>: one command per operation of the spec', () => {
  it('create from flags, from --data and from --data - (stdin), then get, update, delete', async () => {
    const server = await devServer();
    const env = environment(server);

    const fromFlags = await codex(
      [
        'documents',
        'create',
        '--title',
        'Notes',
        '--content',
        'Hello',
        '--metadata',
        'team=docs',
        '--metadata',
        'lang=en',
      ],
      env,
    );
    expect(fromFlags.code, fromFlags.stderr).toBe(0);
    expect(fromFlags.stderr).toBe('');
    const created = doc(fromFlags);
    expect(created).toMatchObject({ title: 'Notes', content: 'Hello', metadata: { team: 'docs', lang: 'en' } });
    expect(created.id).toMatch(/^doc_/);
    // Not a terminal: JSON on one line.
    expect(fromFlags.stdout.trim().split('\n')).toHaveLength(1);

    const fromData = await codex(
      ['documents', 'create', '--data', '{"title":"From data","content":"x","metadata":{"a":"1"}}'],
      env,
    );
    expect(fromData.code, fromData.stderr).toBe(0);
    expect(doc(fromData)).toMatchObject({ title: 'From data', metadata: { a: '1' } });

    // Flags override --data's fields.
    const merged = await codex(
      ['documents', 'create', '--data', '{"title":"ignored","content":"kept"}', '--title', 'Flag wins'],
      env,
    );
    expect(doc(merged)).toMatchObject({ title: 'Flag wins', content: 'kept' });

    const fromStdin = await codex(['documents', 'create', '--data', '-'], env, {
      input: JSON.stringify({ title: 'From stdin', content: 'piped' }),
    });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(doc(fromStdin)).toMatchObject({ title: 'From stdin', content: 'piped' });

    const got = await codex(['documents', 'get', created.id], env);
    expect(got.code, got.stderr).toBe(0);
    expect(doc(got)).toEqual(created);

    // A map flag takes one entry: the id after it stays the id.
    const updated = await codex(
      ['documents', 'update', '--title', 'Notes (final)', '--metadata', 'team=ops', created.id],
      env,
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(doc(updated)).toMatchObject({
      id: created.id,
      title: 'Notes (final)',
      content: 'Hello',
      metadata: { team: 'ops' },
    });

    const deleted = await codex(['documents', 'delete', created.id], env);
    expect(deleted).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const gone = await codex(['documents', 'get', created.id], env);
    expect(gone.code).toBe(1);

    // What the server received: the operations, each with the CLI's token.
    const sent = server.admin.requests().map((r) => r.operationId);
    expect(sent).toEqual([
      'issueToken',
      'createDocument',
      'createDocument',
      'createDocument',
      'createDocument',
      'getDocument',
      'updateDocument',
      'deleteDocument',
      'getDocument',
    ]);
  });

  it('successive runs share one token through the file cache', async () => {
    const server = await devServer();
    const env = environment(server);
    for (let i = 0; i < 3; i++) expect((await codex(['documents', 'list'], env)).code).toBe(0);
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
  });

  it('--idempotency-key: the same create run twice makes one document', async () => {
    const server = await devServer();
    const env = environment(server);
    const args = ['documents', 'create', '--title', 'Once', '--content', 'x', '--idempotency-key', 'create-once-1'];
    const first = await codex(args, env);
    const second = await codex(args, env);
    expect(doc(second)).toEqual(doc(first));
    const creates = server.admin.requests().filter((r) => r.operationId === 'createDocument');
    expect(creates.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      ['create-once-1', false],
      ['create-once-1', true],
    ]);
  });

  it('list: JSON Lines by default when stdout is not a terminal; --limit, --cursor and --all', async () => {
    const server = await devServer();
    const env = environment(server);
    const operations = Array.from({ length: 7 }, (_, i) => ({
      op: 'create',
      document: { title: `Doc ${i}`, content: 'x' },
    }));
    expect((await codex(['documents', 'batch', '--data', JSON.stringify({ operations })], env)).code).toBe(0);

    const firstPage = await codex(['documents', 'list', '--limit', '3'], env);
    expect(firstPage.code, firstPage.stderr).toBe(0);
    expect(jsonLines(firstPage).map((d) => d.title)).toEqual(['Doc 0', 'Doc 1', 'Doc 2']);

    const all = await codex(['documents', 'list', '--limit', '3', '--all'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(jsonLines(all).map((d) => d.title)).toEqual(operations.map((o) => o.document.title));
    // Three pages of 3, 3 and 1 (and the first run's one page).
    const lists = server.admin.requests().filter((r) => r.operationId === 'listDocuments');
    expect(lists.map((r) => r.query)).toHaveLength(4);

    const json = await codex(['documents', 'list', '--limit', '3', '--output', 'json'], env);
    const page = JSON.parse(json.stdout) as { data: unknown[]; next_cursor: string };
    expect(page.data).toHaveLength(3);
    expect(page.next_cursor).toEqual(expect.any(String));
    const next = await codex(['documents', 'list', '--limit', '3', '--cursor', page.next_cursor], env);
    expect(jsonLines(next).map((d) => d.title)).toEqual(['Doc 3', 'Doc 4', 'Doc 5']);

    const allJson = JSON.parse((await codex(['documents', 'list', '--all', '-o', 'json'], env)).stdout);
    expect(allJson).toMatchObject({ next_cursor: null });
    expect(allJson.data).toHaveLength(7);
  });

  it('--output table: aligned columns named after the fields; jsonl for one document', async () => {
    const server = await devServer();
    const env = environment(server);
    await codex(
      [
        'documents',
        'create',
        '--title',
        'Quarterly report',
        '--content',
        'Numbers\nand more',
        '--metadata',
        'team=finance',
      ],
      env,
    );
    const table = await codex(['documents', 'list', '--output', 'table'], env);
    expect(table.code, table.stderr).toBe(0);
    const [header, row, ...rest] = table.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header).toMatch(/^ID\s+TITLE\s+CONTENT\s+METADATA\s+CREATED_AT\s+UPDATED_AT$/);
    expect(row).toMatch(/^doc_\S+\s+Quarterly report\s+Numbers and more\s+team=finance\s+\d{4}-/);
    // Columns line up: each value starts under its header.
    expect(row?.indexOf('Quarterly')).toBe(header?.indexOf('TITLE'));

    const id = (jsonLines(await codex(['documents', 'list'], env))[0] as { id: string }).id;
    const line = await codex(['documents', 'get', id, '-o', 'jsonl'], env);
    expect(line.stdout.endsWith('}\n') && line.stdout.split('\n')).toHaveLength(2);
  });

  it('batch via --data: one outcome per operation; exit 1 when any failed, with one line saying so', async () => {
    const server = await devServer();
    const env = environment(server);
    const ok = await codex(
      ['documents', 'batch', '--data', JSON.stringify([{ op: 'create', document: { title: 'A', content: 'a' } }])],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const { results } = JSON.parse(ok.stdout) as { results: Array<{ status: number; document: { id: string } }> };
    expect(results).toMatchObject([{ index: 0, status: 201, document: { title: 'A' } }]);

    const mixed = await codex(
      [
        'documents',
        'batch',
        '--data',
        JSON.stringify({
          operations: [
            { op: 'update', id: results[0]?.document.id, document: { title: 'A2' } },
            { op: 'delete', id: 'doc_missing' },
          ],
        }),
      ],
      env,
    );
    expect(mixed.code).toBe(1);
    expect(JSON.parse(mixed.stdout).results.map((r: { status: number }) => r.status)).toEqual([200, 404]);
    const lines = mixed.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: 1 of 2 operations failed; the first, operation 1: 404 not_found: .*\(request req_\w+\)$/,
    );
  });

  it('auth token prints a current token that the API accepts, from the cache the commands use', async () => {
    const server = await devServer();
    const env = environment(server);
    const run = await codex(['auth', 'token'], env);
    expect(run.code, run.stderr).toBe(0);
    const token = run.stdout.trim();
    expect(run.stdout).toBe(`${token}\n`);
    const response = await fetch(`${server.url}/documents`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);

    const json = JSON.parse((await codex(['auth', 'token', '--output', 'json'], env)).stdout);
    expect(json).toEqual({ access_token: token, token_type: 'Bearer', expires_in: expect.any(Number) });
    // The second run, and a command after it, used the cached token.
    expect((await codex(['documents', 'list'], env)).code).toBe(0);
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
  });

  it('credentials as @codex/node finds them: CODEX_CLIENT_ID + CODEX_CLIENT_SECRET, a profile file, --base-url', async () => {
    const server = await devServer();
    const byPair = environment(undefined, {
      CODEX_CLIENT_ID: RO.clientId,
      CODEX_CLIENT_SECRET: RO.clientSecret,
      CODEX_BASE_URL: server.url,
    });
    expect((await codex(['documents', 'list'], byPair)).code).toBe(0);
    expect(server.admin.requests().at(-1)).toMatchObject({ clientId: RO.clientId, operationId: 'listDocuments' });

    const byFile = environment(undefined);
    const dir = join(byFile.HOME as string, '.config', 'codex');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'credentials.json'),
      JSON.stringify({ profiles: { default: { apiKey: `${RO.clientId}:${RO.clientSecret}` } } }),
      {
        mode: 0o600,
      },
    );
    const run = await codex(['--base-url', server.url, 'documents', 'list'], byFile);
    expect(run.code, run.stderr).toBe(0);
    // --base-url after the command works too.
    expect((await codex(['documents', 'list', '--base-url', server.url], byFile)).code).toBe(0);
    expect(
      server.admin.requests().filter((r) => r.clientId === RO.clientId && r.operationId === 'listDocuments'),
    ).toHaveLength(3);
  });

  it('--help lists the spec summaries; the token exchange is not a command', async () => {
    const top = await codex(['--help'], environment(undefined));
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/documents\s+batch, create, delete, get, import, list, update/);
    const group = await codex(['documents', '--help'], environment(undefined));
    for (const summary of [
      'List documents',
      'Create a document',
      'Get a document',
      'Update a document',
      'Delete a document',
      'Apply up to 100 operations in one request',
    ])
      expect(group.stdout).toContain(summary);
    const list = await codex(['documents', 'list', '--help'], environment(undefined));
    expect(list.stdout).toMatch(/--limit <integer>\s+Page size\. \(1 to 100, default: 20\)/);
    expect(list.stdout).toContain('GET /documents (operationId listDocuments)');
    const auth = await codex(['auth', '--help'], environment(undefined));
    expect(auth.stdout).not.toMatch(/client-secret/);
    const version = await codex(['--version'], environment(undefined));
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
