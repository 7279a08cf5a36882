import { describe, expect, it } from 'vitest';
import { apiKey, codex, devServer, environment, RO, RW } from './helpers';

// Exit statuses (issue 23): 1 with one line on stderr naming the error code and the request id
// for a failure of the API or the connection; 2 with the command's usage for a usage error, with
// nothing sent.

describe('errors: exit 1, one line with the code and the request id', () => {
  it('an API error: 404 not_found', async () => {
    const server = await devServer();
    const run = await codex(['documents', 'get', 'doc_missing'], environment(server));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const requestId = server.admin.requests().find((r) => r.operationId === 'getDocument')?.requestId;
    expect(run.stderr).toBe(`error: 404 not_found: No document with id doc_missing. (request ${requestId})\n`);
  });

  it('a read-only key writing: 403 insufficient_scope', async () => {
    const server = await devServer();
    const run = await codex(
      ['documents', 'create', '--title', 't', '--content', 'c'],
      environment(server, { CODEX_API_KEY: apiKey(RO) }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: 403 insufficient_scope: .* \(request req_\w+\)\n$/);
  });

  it('a wrong secret: 401 invalid_client, and the secret given is not shown', async () => {
    const server = await devServer();
    const wrong = `${RW.clientId}:cdx_sk_wrong_secret_value`;
    const run = await codex(['documents', 'list'], environment(server, { CODEX_API_KEY: wrong }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: 401 invalid_client: .* \(request req_\w+\)\n$/);
    expect(run.stdout + run.stderr).not.toContain('cdx_sk_wrong_secret_value');
  });

  it('a 503 that outlasts the retries, and --verbose for more', async () => {
    const server = await devServer();
    server.admin.fault({ operationId: 'listDocuments', count: 3, type: 'status', status: 503 });
    const run = await codex(['documents', 'list', '--verbose'], environment(server));
    expect(run.code).toBe(1);
    const last = server.admin.requests().at(-1);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(errors).toEqual([expect.stringMatching(/^error: 503 unavailable: .* \(request req_\w+\)$/)]);
    expect(errors[0]).toContain(`(request ${last?.requestId})`);
    // --verbose: the SDK's debug log (requests, retries) and the stack.
    expect(run.stderr).toMatch(/retry/i);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('no credentials: missing_credentials, naming where they are looked for', async () => {
    const run = await codex(['documents', 'list', '--base-url', 'http://127.0.0.1:9/v1'], environment(undefined));
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/^error: missing_credentials: .*CODEX_API_KEY/);
  });

  it('nothing listening: connection_error', async () => {
    const server = await devServer();
    const env = environment(server);
    await server.close();
    const run = await codex(['documents', 'list'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: connection_error: .*ECONNREFUSED.*\n$/);
  });
});

describe('usage errors: exit 2 with the usage, nothing sent', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['documents', 'frobnicate'], /error: unknown command 'frobnicate'/],
    ['an unknown group', ['widgets', 'list'], /error: unknown command 'widgets'/],
    ['an unknown flag', ['documents', 'list', '--frob'], /error: unknown option '--frob'/],
    ['a missing id', ['documents', 'get'], /error: missing required argument 'id'/],
    ['an extra argument', ['documents', 'get', 'doc_1', 'doc_2'], /error: too many arguments/],
    [
      'an id the spec refuses',
      ['documents', 'get', 'not-an-id'],
      /error: <id> must match \^doc_\[A-Za-z0-9\]\+\$ \(got 'not-an-id'\)/,
    ],
    [
      '--limit over its maximum',
      ['documents', 'list', '--limit', '101'],
      /error: --limit must be at most 100 \(got 101\)/,
    ],
    ['--limit under its minimum', ['documents', 'list', '--limit', '0'], /error: --limit must be at least 1 \(got 0\)/],
    [
      '--limit not an integer',
      ['documents', 'list', '--limit', '2.5'],
      /error: --limit must be an integer \(got '2.5'\)/,
    ],
    ['an empty --cursor', ['documents', 'list', '--cursor', ''], /error: --cursor must not be empty/],
    [
      '--output not a format',
      ['documents', 'list', '--output', 'yaml'],
      /error: option '-o, --output <format>' argument 'yaml' is invalid/,
    ],
    [
      'a required field missing',
      ['documents', 'create', '--title', 'T'],
      /error: missing --content \(or the whole body as --data\)/,
    ],
    [
      'a title over 200 characters',
      ['documents', 'create', '--title', 'x'.repeat(201), '--content', 'c'],
      /error: --title must have at most 200 characters/,
    ],
    ['--data not JSON', ['documents', 'create', '--data', '{title:'], /error: --data is not JSON/],
    ['--data not an object', ['documents', 'create', '--data', '[1]'], /error: --data must be a JSON object/],
    [
      'a field of --data of the wrong type',
      ['documents', 'create', '--data', '{"title":1,"content":"c"}'],
      /error: "title" in --data must be a string/,
    ],
    [
      '--metadata without =',
      ['documents', 'create', '--title', 'T', '--content', 'c', '--metadata', 'team'],
      /error: --metadata takes key=value \(got 'team'\)/,
    ],
    [
      'more metadata than the spec allows',
      [
        'documents',
        'create',
        '--title',
        'T',
        '--content',
        'c',
        ...Array.from({ length: 17 }, (_, i) => ['--metadata', `k${i}=v`]).flat(),
      ],
      /error: --metadata takes at most 16 entries \(got 17\)/,
    ],
    [
      'an update with nothing to change',
      ['documents', 'update', 'doc_1'],
      /error: give at least one of --title, --content, --metadata \(or --data\)/,
    ],
    ['a batch without --data', ['documents', 'batch'], /error: --data is required/],
    [
      'a batch of no operations',
      ['documents', 'batch', '--data', '{"operations":[]}'],
      /error: --data has no operations/,
    ],
    [
      'an idempotency key with a space',
      ['documents', 'create', '--title', 'T', '--content', 'c', '--idempotency-key', 'a b'],
      /error: --idempotency-key must be 1 to 255 visible ASCII characters/,
    ],
    ['an import without a file', ['documents', 'import'], /error: missing required argument 'file'/],
    [
      'an import key too long',
      ['documents', 'import', 'rows.jsonl', '--idempotency-key', 'k'.repeat(256)],
      /error: --idempotency-key must be 1 to 255/,
    ],
    ['a shell without completion', ['completion', 'fish'], /error: command-argument value 'fish' is invalid/],
    [
      'a --base-url that is not a URL',
      ['documents', 'list', '--base-url', 'not a url'],
      /error: --base-url must be a URL/,
    ],
    [
      'a --base-url the SDK refuses',
      ['documents', 'list', '--base-url', 'ftp://example.com/v1'],
      /error: --base-url: must use https \(got ftp:\)/,
    ],
  ];

  it.each(cases)('%s', async (_, args, message) => {
    const server = await devServer();
    const run = await codex(args, environment(server));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/\nUsage: codex /);
    expect(server.admin.requests()).toEqual([]);
  });

  it("codex help: exit 0; codex help <group> <command>: that command's help", async () => {
    const help = await codex(['help'], environment(undefined));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: codex \[options\] \[command\]/);
    const list = await codex(['help', 'documents', 'list'], environment(undefined));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Usage: codex documents list \[options\]/);
  });

  it('codex alone shows the help on stderr, exit 2', async () => {
    const run = await codex([], environment(undefined));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: codex \[options\] \[command\]/);
  });
});
