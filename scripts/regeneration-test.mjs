#!/usr/bin/env node
// Regeneration test, on a temporary copy of the repo: add an operation to openapi/codex.yaml, run
// `pnpm generate` and build @codex/core, then show that the new method exists on the Client as an
// ordinary method of the generated resource class, documented with the spec's summary (in
// resources.gen.ts and in the built .d.ts), typed (tsc against the built .d.ts, with a
// @ts-expect-error that must fire), and sends the right request (a recording HTTP server on
// 127.0.0.1). The operation is also batchable (x-codex-batchable) as a new batch op, `archive`: the
// generator refuses it until the batch item schema takes that op, then carries the mapping into
// the operation table, for the runtime's auto-batching. No hand-written code changes: the spec's
// tests (tooling/codegen/test/spec.test.ts) derive their expectations from the spec and pass, api.md
// lists the new method, the `codex` command line has it as `codex documents archive <id>` (built
// and run against a recording server), and the dev server, which has no handler for it yet, still compiles (so
// does @codex/core's typecheck, which reads its sources) and answers it with 501 not_implemented.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRepo } from './repo-copy.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'codex-regeneration-'));
const repo = join(work, 'repo');
const step = (text) => console.log(`\n━━ ${text}`);
const sh = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  return result;
};

const HEADERS = `          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
            X-RateLimit-Limit:
              $ref: "#/components/headers/X-RateLimit-Limit"
            X-RateLimit-Remaining:
              $ref: "#/components/headers/X-RateLimit-Remaining"
            X-RateLimit-Reset:
              $ref: "#/components/headers/X-RateLimit-Reset"
`;

// A complete operation, as CONTRIBUTING asks: the common headers on its success and every error
// the contract gives any request with a token.
const NEW_OPERATION = `  /documents/{id}/archive:
    post:
      operationId: archiveDocument
      tags: [documents]
      summary: Archive a document
      description: Moves the document to the archive.
      x-codex-resource: documents
      x-codex-method: archive
      x-codex-batchable: { via: batchDocuments, op: archive, id: id }
      security:
        - codexAuth: [write]
      parameters:
        - $ref: "#/components/parameters/DocumentId"
      responses:
        "200":
          description: The archived document.
${HEADERS}          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Document"
        "401":
          $ref: "#/components/responses/Unauthorized"
        "403":
          $ref: "#/components/responses/Forbidden"
        "404":
          $ref: "#/components/responses/NotFound"
        "429":
          $ref: "#/components/responses/RateLimited"
        "500":
          $ref: "#/components/responses/InternalError"
        "503":
          $ref: "#/components/responses/Unavailable"
`;

// The batch op archiveDocument is sent as: {"op": "archive", "id": "doc_…"}.
const BATCH_ARCHIVE_OPERATION = `    BatchArchiveOperation:
      type: object
      additionalProperties: false
      required: [op, id]
      properties:
        op:
          type: string
          const: archive
        id:
          $ref: "#/components/schemas/DocumentId"
`;

/** The generated row of archiveDocument must carry exactly this mapping. */
const BATCHABLE_ROW = [
  '        batchable: {',
  "            via: 'batchDocuments',",
  "            op: 'archive',",
  "            idParam: 'id',",
  '            bodyField: null',
  '        }',
].join('\n');

const SUMMARY = 'Archive a document';

/** `text` with `anchor` (which must occur exactly once) replaced by `replacement`. */
function replaceOnce(text, anchor, replacement, what) {
  if (text.split(anchor).length !== 2) throw new Error(`openapi/codex.yaml: cannot find ${what} to edit`);
  return text.replace(anchor, () => replacement);
}

const TYPE_TEST = `import type { APIPromise, Client, Document, Documents, WithResponse } from '@codex/core';
declare const client: Client;
export const archived: APIPromise<Document> = client.documents.archive('doc_1');
export const raw: Promise<WithResponse<Document>> = client.documents.archive('doc_1').withResponse();
export const method: (id: string) => APIPromise<Document> = ({} as Documents).archive;
// @ts-expect-error: archive takes the document's ID
client.documents.archive();
// @ts-expect-error: the ID is a string
client.documents.archive(1);
`;

const REQUEST_TEST = `import { createServer } from 'node:http';
import { Client } from '@codex/core';
const seen = [];
const server = createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'doc_1', title: 't', content: 'c', metadata: {}, created_at: 'x', updated_at: 'x' }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const client = new Client({ baseUrl: \`http://127.0.0.1:\${server.address().port}/v1\`, tokenProvider: async () => ({ accessToken: 'tok', expiresIn: 3600 }) });
const doc = await client.documents.archive('doc_1');
server.close();
const ok = doc.id === 'doc_1' && JSON.stringify(seen) === JSON.stringify([{ method: 'POST', url: '/v1/documents/doc_1/archive', auth: 'Bearer tok' }]);
console.log(ok ? '✓ client.documents.archive() sent POST /v1/documents/doc_1/archive with the bearer token' : \`✗ saw \${JSON.stringify(seen)}\`);
process.exit(ok ? 0 : 1);
`;

// The built dev server, in process: archiveDocument is routed and authenticated like any
// operation, then answered 501 not_implemented in the contract's error envelope.
const DEV_SERVER_TEST = `import { createApp } from './dist/app.js';
const { app } = createApp({ keys: [{ clientId: 'cdx_id_r', clientSecret: 'cdx_sk_r' }] });
const request = (method, path, init = {}) => app.fetch(new Request(\`http://dev/v1\${path}\`, { method, ...init }));
const token = await request('POST', '/auth/token', {
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ client_id: 'cdx_id_r', client_secret: 'cdx_sk_r' }),
}).then((r) => r.json());
const anonymous = await request('POST', '/documents/doc_1/archive');
const res = await request('POST', '/documents/doc_1/archive', { headers: { authorization: \`Bearer \${token.access_token}\` } });
const body = await res.json();
const ok = anonymous.status === 401 && res.status === 501 && body.error?.code === 'not_implemented' &&
  body.error.request_id === res.headers.get('x-request-id') && /archiveDocument/.test(body.error.message);
console.log(ok ? '✓ dev server: POST /v1/documents/doc_1/archive is 401 without a token, 501 not_implemented with one' : \`✗ \${anonymous.status} \${res.status} \${JSON.stringify(body)}\`);
// In a batch, the new op fails alone (the dev server does not apply it yet); the others apply.
const batch = await request('POST', '/documents/batch', {
  headers: { authorization: \`Bearer \${token.access_token}\`, 'content-type': 'application/json' },
  body: JSON.stringify({ operations: [{ op: 'create', document: { title: 'a', content: 'b' } }, { op: 'archive', id: 'doc_1' }] }),
}).then((r) => r.json());
const statuses = batch.results?.map((r) => [r.status, r.error?.code ?? null]);
const batched = JSON.stringify(statuses) === JSON.stringify([[201, null], [501, 'not_implemented']]);
console.log(batched ? '✓ dev server: in a batch, op "archive" fails alone with 501 not_implemented; the create applies' : \`✗ batch: \${JSON.stringify(batch)}\`);
process.exit(ok && batched ? 0 : 1);
`;

// The built `codex` bin against a recording server: the new operation is a command that sends the
// right request with a token from the key in the environment.
const CLI_TEST = `import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const seen = [];
const server = createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, auth: req.headers.authorization ?? null });
  const body = req.url === '/v1/auth/token'
    ? { access_token: 'tok', token_type: 'Bearer', expires_in: 3600, scope: 'read write' }
    : { id: 'doc_1', title: 't', content: 'c', metadata: {}, created_at: 'x', updated_at: 'x' };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const env = { ...process.env, CODEX_API_KEY: 'cdx_id_r:cdx_sk_regeneration', CODEX_BASE_URL: \`http://127.0.0.1:\${server.address().port}/v1\`, CODEX_CACHE_DIR: mkdtempSync(join(tmpdir(), 'codex-cache-')) };
// Not spawnSync: this process's server must answer while the bin runs.
const cli = (...args) => new Promise((resolve) => {
  execFile(process.execPath, ['dist/cli.js', ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) =>
    resolve({ status: error ? error.code : 0, stdout, stderr }));
});
const help = await cli('documents', '--help');
const run = await cli('documents', 'archive', 'doc_1');
const missing = await cli('documents', 'archive');
server.close();
const listed = help.status === 0 && /\\n  archive (\\[options\\] )?<id>\\s+${SUMMARY}\\n/.test(help.stdout);
const sent = run.status === 0 && JSON.parse(run.stdout).id === 'doc_1' &&
  JSON.stringify(seen.filter((r) => r.url !== '/v1/auth/token')) === JSON.stringify([{ method: 'POST', url: '/v1/documents/doc_1/archive', auth: 'Bearer tok' }]);
const usage = missing.status === 2 && seen.length === 2;
console.log(listed ? '✓ codex documents --help lists "archive [options] <id>  ${SUMMARY}"' : \`✗ help: \${help.status} \${help.stdout}\${help.stderr}\`);
console.log(sent ? '✓ codex documents archive doc_1 sent POST /v1/documents/doc_1/archive with a token from CODEX_API_KEY and printed the document' : \`✗ run: \${run.status} \${run.stdout}\${run.stderr} \${JSON.stringify(seen)}\`);
console.log(usage ? '✓ codex documents archive without <id>: a usage error (exit 2), nothing sent' : \`✗ missing id: \${missing.status} \${missing.stderr}\`);
process.exit(listed && sent && usage ? 0 : 1);
`;

let failed = false;
try {
  step('copy the repository and install from the local store');
  copyRepo(root, repo);

  step('add archiveDocument (POST /documents/{id}/archive, batchable as op "archive") to openapi/codex.yaml');
  const specPath = join(repo, 'openapi', 'codex.yaml');
  let spec = readFileSync(specPath, 'utf8');
  spec = replaceOnce(spec, '\ncomponents:\n', `\n${NEW_OPERATION}components:\n`, 'the components section');
  writeFileSync(specPath, spec);
  // The batch does not take "archive" yet: the generator must refuse the mapping, naming it.
  const refused = spawnSync('pnpm', ['--filter', '@codex/codegen', 'generate'], { cwd: repo, encoding: 'utf8' });
  const expected = 'operation archiveDocument: x-codex-batchable.op "archive" is not an op of batchDocuments';
  if (refused.status === 0 || !`${refused.stdout}${refused.stderr}`.includes(expected)) {
    console.error(`${refused.stdout}${refused.stderr}`);
    throw new Error(`generation did not fail with "${expected}"`);
  }
  console.log(`✓ before the batch takes "archive", generation fails: ${expected}`);

  step('add the batch op {"op": "archive", "id"} to BatchOperation and regenerate');
  spec = replaceOnce(
    spec,
    '    BatchOperation:\n',
    `${BATCH_ARCHIVE_OPERATION}    BatchOperation:\n`,
    'BatchOperation',
  );
  spec = replaceOnce(
    spec,
    '        - $ref: "#/components/schemas/BatchDeleteOperation"\n',
    '        - $ref: "#/components/schemas/BatchDeleteOperation"\n        - $ref: "#/components/schemas/BatchArchiveOperation"\n',
    "BatchOperation's oneOf",
  );
  spec = replaceOnce(
    spec,
    '          delete: "#/components/schemas/BatchDeleteOperation"\n',
    '          delete: "#/components/schemas/BatchDeleteOperation"\n          archive: "#/components/schemas/BatchArchiveOperation"\n',
    "BatchOperation's discriminator mapping",
  );
  writeFileSync(specPath, spec);
  sh('pnpm', ['--filter', '@codex/codegen', 'generate'], { cwd: repo });
  const table = readFileSync(join(repo, 'packages/core/src/generated/codex/operation-table.gen.ts'), 'utf8');
  const row = table.match(/\n {4}archiveDocument: \{\n([\s\S]*?)\n {4}\}/)?.[1];
  if (!row?.includes("operationId: 'archiveDocument'")) throw new Error('the operation table has no archiveDocument');
  if (!row.includes(BATCHABLE_ROW)) {
    throw new Error(`archiveDocument's row lacks its batch mapping:\n${BATCHABLE_ROW}\nrow:\n${row}`);
  }
  console.log(
    "✓ operation-table.gen.ts: archiveDocument is batchable via batchDocuments as op 'archive', id 'id', no body",
  );
  const resources = readFileSync(join(repo, 'packages/core/src/generated/codex/resources.gen.ts'), 'utf8');
  const method = resources.match(
    /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*archive\(id: string, options\?: RequestOptions\): APIPromise<Document>/,
  );
  if (!method)
    throw new Error('resources.gen.ts has no archive(id: string, options?: RequestOptions): APIPromise<Document>');
  for (const text of [SUMMARY, 'Moves the document to the archive.', '@param id', '@throws {NotFoundError} 404'])
    if (!method[1].includes(text)) throw new Error(`archive()'s JSDoc lacks "${text}"`);
  console.log(`✓ resources.gen.ts: Documents.archive(id, options) documented with "${SUMMARY}" and its 404`);
  const apiMd = readFileSync(join(repo, 'api.md'), 'utf8');
  for (const text of [
    '[`client.documents.archive(id, options?)`](#clientdocumentsarchive) | `POST /documents/{id}/archive` | `APIPromise<Document>` | auto-batchable |',
    'archive(id: string, options?: RequestOptions): APIPromise<Document>',
    '| 404 | `NotFoundError` |',
  ])
    if (!apiMd.includes(text)) throw new Error(`api.md lacks "${text}"`);
  console.log('✓ api.md: client.documents.archive(id, options?), POST /documents/{id}/archive, APIPromise<Document>');

  step("the spec's tests derive their expectations from the spec: they pass with the new operation");
  sh('pnpm', ['--filter', '@codex/codegen', 'exec', 'vitest', 'run', 'test/spec.test.ts'], { cwd: repo });
  console.log('✓ tooling/codegen/test/spec.test.ts passes, unchanged');

  step('the dev server compiles without a handler for archiveDocument, and answers it with 501');
  sh('pnpm', ['--filter', '@codex/dev-server', 'typecheck'], { cwd: repo });
  sh('pnpm', ['--filter', '@codex/dev-server', 'build'], { cwd: repo });
  writeFileSync(join(repo, 'packages/dev-server/regeneration-501.mjs'), DEV_SERVER_TEST);
  sh(process.execPath, ['regeneration-501.mjs'], { cwd: join(repo, 'packages/dev-server') });

  step('build @codex/core');
  sh('pnpm', ['--filter', '@codex/core', 'build'], { cwd: repo });
  const dts = readFileSync(join(repo, 'packages/core/dist/index.d.ts'), 'utf8');
  if (!new RegExp(`\\* ${SUMMARY}[\\s\\S]{0,2000}archive\\(id: string`).test(dts))
    throw new Error("the built .d.ts does not document archive() with the spec's summary");
  console.log("✓ dist/index.d.ts: archive() carries the spec's summary (what editors show on hover)");

  step('the method is typed: tsc against the built declarations');
  const check = join(repo, 'packages/core/regeneration-check');
  cpSync(join(root, 'scripts', 'regeneration-test.tsconfig.json'), join(check, 'tsconfig.json'));
  writeFileSync(join(check, 'archive.ts'), TYPE_TEST);
  sh(join(repo, 'node_modules/.bin/tsc'), ['-p', join(check, 'tsconfig.json')], { cwd: check });
  console.log(
    '✓ client.documents.archive(id): APIPromise<Document>, with withResponse(); a missing or non-string ID does not compile',
  );

  step('the method sends the right request');
  writeFileSync(join(check, 'request.mjs'), REQUEST_TEST);
  sh(process.execPath, ['request.mjs'], { cwd: check });

  step('the new operation is a command of the codex command line (packages/cli/src/commands.gen.ts)');
  const commands = readFileSync(join(repo, 'packages/cli/src/commands.gen.ts'), 'utf8');
  if (!commands.includes("operationId: 'archiveDocument'")) throw new Error('commands.gen.ts has no archiveDocument');
  console.log("✓ commands.gen.ts: archiveDocument is the command 'documents archive'");
  sh('pnpm', ['--filter', '@codex/node', '--filter', '@codex/cli', 'build'], { cwd: repo });
  writeFileSync(join(repo, 'packages/cli/regeneration-cli.mjs'), CLI_TEST);
  sh(process.execPath, ['regeneration-cli.mjs'], { cwd: join(repo, 'packages/cli') });
  console.log(
    '\n✓ Regeneration: the new operation is a typed client method that sends the right request, batchable, and a codex command.',
  );
} catch (error) {
  failed = true;
  console.error(`\n✗ Regeneration test failed: ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
