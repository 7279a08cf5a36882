// biome-ignore-all lint/suspicious/noExplicitAny: the test walks the spec as untyped YAML.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate, OUTPUT, readTree } from './generate.ts';

// api.md from openapi/codex.yaml: every method the client has, as resources.gen.ts declares it.
// The expectations come from the spec and the generated classes, so an added operation needs no
// edit here.

const SPEC = new URL('../../../openapi/codex.yaml', import.meta.url).pathname;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let markdown: string;
let resources: string;
let spec: any;

/** api.md's section of one method: from its heading to the next heading. */
function section(resource: string, method: string): string {
  const heading = `### \`client.${resource}.${method}()\``;
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const end = markdown.indexOf('\n#', start + heading.length + 2);
  return markdown.slice(start, end === -1 ? undefined : end);
}

beforeAll(async () => {
  const out = join(OUTPUT, 'codex-api', 'gen');
  const file = join(OUTPUT, 'codex-api', 'api.md');
  await generate(SPEC, out, file);
  markdown = await readFile(file, 'utf8');
  resources = (await readTree(out)).get('codex/resources.gen.ts') ?? '';
  spec = parse(await readFile(SPEC, 'utf8'));
});

describe('api.md', () => {
  it('documents every operation that needs a token as its client method, with its route', () => {
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      for (const verb of METHODS.filter((m) => item[m])) {
        const operation = item[verb];
        const route = `\`${verb.toUpperCase()} ${path}\` (operationId \`${operation.operationId}\`)`;
        if (Array.isArray(operation.security) && operation.security.length === 0) {
          // The token endpoint is the SDK's own business: named, not a method.
          expect(markdown, route).toContain(`${route} is not a method`);
          continue;
        }
        const text = section(operation['x-codex-resource'], operation['x-codex-method']);
        expect(text, route).toContain(`- **Route:** ${route}`);
        if (operation.summary) expect(text).toContain(operation.summary);
      }
    }
  });

  it('gives each method the signature, return type and @throws of resources.gen.ts', () => {
    // `client.documents` is class Documents: each class's methods, with their JSDoc.
    const classes = resources.split(/\nexport class (\w+) extends /).slice(1);
    const declared = [];
    for (let i = 0; i < classes.length; i += 2) {
      const name = classes[i] ?? '';
      const resource = name.charAt(0).toLowerCase() + name.slice(1);
      const body = classes[i + 1] ?? '';
      for (const match of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n {4}(\w+)\((.*)\): (.+) \{\n/g)) {
        declared.push({
          resource,
          doc: match[1] ?? '',
          method: match[2] ?? '',
          params: match[3],
          returns: match[4] ?? '',
        });
      }
    }
    expect(declared.length).toBeGreaterThan(0);
    for (const { resource, doc, method, params, returns } of declared) {
      const text = section(resource, method);
      expect(text, method).toContain(`\`\`\`ts\n${method}(${params}): ${returns}\n\`\`\``);
      expect(text, method).toContain(`- **Returns:** \`${returns}\``);
      const throws = [...doc.matchAll(/@throws \{(\w+)\} (\d{3})/g)].map(([, errorClass, status]) => [
        status,
        errorClass,
      ]);
      const rows = [...text.matchAll(/^\| (\d{3}) \| (?:`(\w+)` \| )?/gm)].map(([, status, errorClass]) => [
        status,
        errorClass,
      ]);
      expect(
        rows.map(([status]) => status),
        method,
      ).toEqual(throws.map(([status]) => status));
      // A batch does not reject for an error status: no class is listed for it.
      if (!returns.startsWith('BatchPromise')) expect(rows, method).toEqual(throws);
    }
  });

  it('lists every method in the summary table with its flags', () => {
    expect(markdown).toContain(
      '| [`client.documents.list(query?, options?)`](#clientdocumentslist) | `GET /documents` | `PagePromise<Document>` | paginated |',
    );
    expect(markdown).toContain(
      '| [`client.documents.create(body, options?)`](#clientdocumentscreate) | `POST /documents` | `APIPromise<Document>` | auto-batchable, idempotency key |',
    );
    expect(markdown).toContain('`BatchPromise<Document>` | batch (≤ 100 per request), idempotency key |');
    expect(markdown).toContain('| `DELETE /documents/{id}` | `APIPromise<void>` | auto-batchable |');
  });
});
