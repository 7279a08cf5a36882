#!/usr/bin/env node
// Regeneration test, on a temporary copy of the repo: add an operation to openapi/codex.yaml, run
// `pnpm generate` and build @codex/core, then show that the new method exists on the Client as an
// ordinary method of the generated resource class, documented with the spec's summary (in
// resources.gen.ts and in the built .d.ts), typed (tsc against the built .d.ts, with a
// @ts-expect-error that must fire), and sends the right request (a recording HTTP server on
// 127.0.0.1). No hand-written code changes.
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

const NEW_OPERATION = `  /documents/{id}/archive:
    post:
      operationId: archiveDocument
      tags: [documents]
      summary: Archive a document
      description: Moves the document to the archive.
      x-codex-resource: documents
      x-codex-method: archive
      security:
        - codexAuth: [write]
      parameters:
        - $ref: "#/components/parameters/DocumentId"
      responses:
        "200":
          description: The archived document.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Document"
        "404":
          $ref: "#/components/responses/NotFound"
`;

const SUMMARY = 'Archive a document';

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

let failed = false;
try {
  step('copy the repository and install from the local store');
  copyRepo(root, repo);

  step('add archiveDocument (POST /documents/{id}/archive) to openapi/codex.yaml and regenerate');
  const specPath = join(repo, 'openapi', 'codex.yaml');
  const spec = readFileSync(specPath, 'utf8');
  writeFileSync(specPath, spec.replace('components:\n', `${NEW_OPERATION}components:\n`));
  sh('pnpm', ['--filter', '@codex/codegen', 'generate'], { cwd: repo });
  const table = readFileSync(join(repo, 'packages/core/src/generated/codex/operation-table.gen.ts'), 'utf8');
  if (!table.includes("operationId: 'archiveDocument'")) throw new Error('the operation table has no archiveDocument');
  const resources = readFileSync(join(repo, 'packages/core/src/generated/codex/resources.gen.ts'), 'utf8');
  const method = resources.match(
    /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*archive\(id: string, options\?: RequestOptions\): APIPromise<Document>/,
  );
  if (!method)
    throw new Error('resources.gen.ts has no archive(id: string, options?: RequestOptions): APIPromise<Document>');
  for (const text of [SUMMARY, 'Moves the document to the archive.', '@param id', '@throws {NotFoundError} 404'])
    if (!method[1].includes(text)) throw new Error(`archive()'s JSDoc lacks "${text}"`);
  console.log(`✓ resources.gen.ts: Documents.archive(id, options) documented with "${SUMMARY}" and its 404`);

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
  console.log('\n✓ Regeneration: the new operation is a typed client method that sends the right request.');
} catch (error) {
  failed = true;
  console.error(`\n✗ Regeneration test failed: ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
