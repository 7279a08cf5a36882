// biome-ignore-all lint/suspicious/noExplicitAny: the test walks the spec as untyped YAML.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CommandTable } from '../../../packages/cli/src/command-table.ts';
import { BANNER } from '../src/config.ts';
import { RESERVED_FLAGS } from '../src/operation-table/cli.ts';
import { generate, OUTPUT } from './generate.ts';

// The CLI's commands.gen.ts from openapi/codex.yaml. Expectations are read from the spec itself
// (and from the operation table generated alongside), so an added operation needs no edit here;
// a few rows are pinned where the shape is the point (a map field, a --data-only body).

const SPEC = new URL('../../../openapi/codex.yaml', import.meta.url).pathname;
const FIXTURE = new URL('./fixtures/mini.yaml', import.meta.url).pathname;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCALARS = ['string', 'integer', 'number', 'boolean'];
const LIMITS = ['enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'default'];

let spec: any;
let text: string;
let commands: CommandTable;
let operations: Record<string, any>;

/** Follows local `$ref`s; enough for this spec, whose references carry no sibling keywords. */
function deref(node: any): any {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: any, key: string) => at?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
  }
  return current;
}

const firstParagraph = (description: string | undefined) =>
  description
    ?.trim()
    .split(/\n\s*\n/)[0]
    ?.replace(/\s+/g, ' ');

/** Every operation of the spec, in its order, with its path item's parameters and its own (its own win). */
function specOperations() {
  const out = [];
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const verb of Object.keys(item).filter((key) => METHODS.includes(key))) {
      const operation = item[verb];
      const params = new Map<string, any>();
      for (const param of [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref)) {
        params.set(`${param.in}:${param.name}`, param);
      }
      out.push({ path, verb, operation, params: [...params.values()] });
    }
  }
  return out;
}

/** What the spec says of a parameter or body field, as the contract's ParamSpec (undefined keys left out by toEqual). */
function expectedParam(name: string, schema: any, required: boolean, description?: string) {
  const resolved = deref(schema);
  return {
    name,
    flag: name.replaceAll('_', '-').toLowerCase(),
    type: resolved.type,
    required,
    description: firstParagraph(description ?? resolved.description),
    ...Object.fromEntries(LIMITS.map((key) => [key, resolved[key]])),
    maxBytes: resolved['x-codex-max-bytes'],
  };
}

beforeAll(async () => {
  const out = join(OUTPUT, 'cli-codex', 'gen');
  const file = join(OUTPUT, 'cli-codex', 'commands.gen.ts');
  await generate(SPEC, out, undefined, file);
  spec = parse(await readFile(SPEC, 'utf8'));
  text = await readFile(file, 'utf8');
  // Both files import only types: they load as they are.
  ({ commands } = await import(file));
  ({ operations } = await import(join(out, 'codex', 'operation-table.gen.ts')));
});

describe('commands.gen.ts from openapi/codex.yaml', () => {
  it('starts with the banner and types the table by the hand-written contract', () => {
    expect(text.startsWith(`${BANNER.join('\n')}\n\nimport type { CommandTable } from './command-table';\n`)).toBe(
      true,
    );
    expect(text).toContain('\nexport const commands: CommandTable = [\n');
  });

  it("has one command per operation, in the spec's order", () => {
    const ids = specOperations().map(({ operation }) => operation.operationId);
    expect(commands.map((command) => command.operationId)).toEqual(ids);
    expect(Object.keys(operations).sort()).toEqual([...ids].sort());
  });

  it('carries what the operation table says of each operation', () => {
    for (const command of commands) {
      const row = operations[command.operationId];
      expect(command, command.operationId).toMatchObject({
        resource: row.resource,
        command: row.method,
        httpMethod: row.httpMethod,
        path: row.path,
        auth: row.auth,
        idempotency: row.idempotency,
        pagination: row.pagination,
        batch: row.batch,
        batchable: row.batchable,
      });
      expect(command.queryParams.map((p) => p.name)).toEqual(row.queryParams);
      expect(command.pathParams.map((p) => p.name).sort()).toEqual([...row.pathParams].sort());
    }
  });

  it("takes the summary and the description's first paragraph, on one line", () => {
    for (const { operation } of specOperations()) {
      const command = commands.find((c) => c.operationId === operation.operationId);
      expect(command?.summary).toBe(operation.summary);
      expect(command?.description).toBe(firstParagraph(operation.description));
    }
    const batch = commands.find((c) => c.batch);
    expect(batch?.description).toMatch(/^Result `i` answers operation `i`\..* against the rate limit\.$/);
  });

  it('makes path parameters positional arguments in path order, and query parameters flags', () => {
    for (const { path, operation, params } of specOperations()) {
      const command = commands.find((c) => c.operationId === operation.operationId);
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
      expect(command?.pathParams.map((p) => p.name)).toEqual(inPath);
      const expected = (where: string) =>
        params
          .filter((p) => p.in === where)
          .map((p) => expectedParam(p.name, p.schema, where === 'path' || p.required === true, p.description));
      expect(command?.pathParams, operation.operationId).toEqual(expected('path'));
      expect(command?.queryParams, operation.operationId).toEqual(expected('query'));
    }
    // Header parameters (Idempotency-Key) are not flags: the CLI has its own --idempotency-key.
    const flags = commands.flatMap((c) => [...c.queryParams, ...(c.body?.fields ?? [])].map((p) => p.flag));
    expect(flags).not.toContain('idempotency-key');
    expect(commands.find((c) => c.pagination)?.queryParams).toContainEqual({
      name: 'limit',
      flag: 'limit',
      type: 'integer',
      required: false,
      description: 'Page size.',
      minimum: 1,
      maximum: 100,
      default: 20,
    });
  });

  it('makes an object body of scalars and string maps flags, and any other body --data only', () => {
    for (const { operation } of specOperations()) {
      const command = commands.find((c) => c.operationId === operation.operationId);
      const body = deref(operation.requestBody);
      if (!body) {
        expect(command?.body, operation.operationId).toBeNull();
        continue;
      }
      const schema = deref(body.content['application/json'].schema);
      const properties = Object.entries<any>(schema.properties ?? {}).map(([name, property]) => [
        name,
        deref(property),
      ]);
      const isMap = (p: any) => p.type === 'object' && deref(p.additionalProperties)?.type === 'string';
      const flat = properties.length > 0 && properties.every(([, p]) => SCALARS.includes(p.type) || isMap(p));
      const required: string[] = schema.required ?? [];
      expect(command?.body, operation.operationId).toEqual({
        required: body.required === true,
        fields: flat
          ? properties.map(([name, p]) =>
              isMap(p)
                ? {
                    name,
                    flag: name.replaceAll('_', '-').toLowerCase(),
                    type: 'map',
                    required: required.includes(name),
                    description: firstParagraph(p.description),
                    maxProperties: p.maxProperties,
                  }
                : expectedParam(name, p, required.includes(name)),
            )
          : [],
        minProperties: flat ? schema.minProperties : undefined,
        dataOnly: !flat,
        // `additionalProperties: false` carried over, so that the CLI refuses unknown fields before sending.
        additionalProperties: !flat || schema.additionalProperties !== false,
      });
    }
    const byId = (id: string) => commands.find((c) => c.operationId === id);
    expect(byId('createDocument')?.body?.fields.find((f) => f.name === 'metadata')).toEqual({
      name: 'metadata',
      flag: 'metadata',
      type: 'map',
      required: false,
      description: 'Up to 16 string values.',
      maxProperties: 16,
    });
    expect(byId('updateDocument')?.body).toMatchObject({ minProperties: 1, dataOnly: false });
    expect(byId('batchDocuments')?.body).toEqual({
      required: true,
      fields: [],
      dataOnly: true,
      additionalProperties: true,
    });
    expect(byId('createDocument')?.body?.additionalProperties).toBe(false);
    expect(byId('createDocument')?.body?.fields.find((f) => f.name === 'content')?.maxBytes).toBe(1_048_576);
    expect(byId('issueToken')?.body?.fields.map((f) => f.flag)).toEqual(['client-id', 'client-secret', 'scope']);
  });

  it('gives every command distinct flags, none of them reserved by the CLI', () => {
    for (const command of commands) {
      const flags = [...command.pathParams, ...command.queryParams, ...(command.body?.fields ?? [])].map((p) => p.flag);
      expect(new Set(flags).size, command.operationId).toBe(flags.length);
      for (const flag of flags) expect(RESERVED_FLAGS).not.toContain(flag);
    }
  });
});

/** Generates from the fixture, edited, with the CLI's table; returns the table's text. */
async function generateEdited(name: string, edit: (yaml: string) => string, cli = true): Promise<string> {
  const original = await readFile(FIXTURE, 'utf8');
  const edited = edit(original);
  expect(edited, 'the edit must change the fixture').not.toBe(original);
  const input = join(OUTPUT, `cli-${name}.yaml`);
  const file = join(OUTPUT, `cli-${name}`, 'commands.gen.ts');
  await mkdir(OUTPUT, { recursive: true });
  await writeFile(input, edited);
  await generate(input, join(OUTPUT, `cli-${name}`, 'gen'), undefined, cli ? file : undefined);
  return cli ? readFile(file, 'utf8') : '';
}

/** Adds a query parameter to listItems. */
const addQuery = (param: string) => (yaml: string) =>
  yaml.replace(
    '        - { name: after, in: query, schema: { type: string } }\n',
    `        - { name: after, in: query, schema: { type: string } }\n        - ${param}\n`,
  );
/** Adds a property to ItemInput, createItem's body. */
const addField = (property: string) => (yaml: string) =>
  yaml.replace(
    '        name: { type: string, minLength: 1, maxLength: 20 }\n',
    `        name: { type: string, minLength: 1, maxLength: 20 }\n        ${property}\n`,
  );

describe('commands.gen.ts on the fixture spec', () => {
  it('matches the committed snapshot (type-checked against command-table.ts by tsconfig.snapshots.json)', async () => {
    const out = join(OUTPUT, 'mini-cli');
    const file = join(out, 'commands.gen.ts');
    await generate(FIXTURE, join(out, 'gen'), undefined, file);
    await expect(await readFile(file, 'utf8')).toMatchFileSnapshot('./__snapshots__/mini-cli/commands.gen.ts');
  });

  it('turns snake_case and camelCase names into kebab-case flags', async () => {
    const table = await generateEdited('kebab', (yaml) =>
      addField('page_token: { type: string }')(
        addQuery('{ name: sortOrder, in: query, schema: { type: string, enum: [asc, desc] } }')(yaml),
      ),
    );
    expect(table).toContain("name: 'sortOrder',\n                flag: 'sort-order',");
    expect(table).toContain("name: 'page_token',\n                    flag: 'page-token',");
  });

  it('checks nothing for the CLI when its table is not asked for', async () => {
    await expect(
      generateEdited('not-asked', addQuery('{ name: output, in: query, schema: { type: string } }'), false),
    ).resolves.toBe('');
  });

  const broken: Array<[string, (yaml: string) => string, RegExp]> = [
    [
      'a path parameter that is not a scalar',
      (y) =>
        y.replace(
          '- { name: id, in: path, required: true, schema: { type: string } }',
          '- { name: id, in: path, required: true, schema: { type: array, items: { type: string } } }',
        ),
      /operation deleteItem: CLI: path parameter "id" is not a scalar \(string, integer, number or boolean\): it cannot be an argument/,
    ],
    [
      'a query parameter that is not a scalar',
      addQuery('{ name: tags, in: query, schema: { type: array, items: { type: string } } }'),
      /operation listItems: CLI: query parameter "tags" is not a scalar \(string, integer, number or boolean\): it cannot be a flag/,
    ],
    [
      'two parameters on one flag',
      (y) =>
        addQuery('{ name: sort_order, in: query, schema: { type: string } }')(
          addQuery('{ name: sortOrder, in: query, schema: { type: string } }')(y),
        ),
      /operation listItems: CLI: query parameter "sort_order" and query parameter "sortOrder" both map to --sort-order/,
    ],
    [
      'a body field named like a query parameter',
      (y) =>
        y.replace(
          '        - { name: Idempotency-Key, in: header, schema: { type: string, maxLength: 255 } }\n',
          '        - { name: Idempotency-Key, in: header, schema: { type: string, maxLength: 255 } }\n        - { name: name, in: query, schema: { type: string } }\n',
        ),
      /operation createItem: CLI: query parameter "name" and body field "name" both map to --name/,
    ],
    [
      'a body field named like a reserved flag',
      addField('data: { type: string }'),
      /operation createItem: CLI: body field "data" maps to --data, which the CLI reserves for itself \(--output, --base-url, --data, --verbose, --help, --idempotency-key, --all, --version\)/,
    ],
    [
      'a parameter that cannot be a flag name',
      addQuery("{ name: 'filter[status]', in: query, schema: { type: string } }"),
      /operation listItems: CLI: query parameter "filter\[status\]" maps to "filter\[status\]", which is not a flag name/,
    ],
    [
      'a cookie parameter',
      addQuery('{ name: session, in: cookie, schema: { type: string } }'),
      /operation listItems: CLI: cookie parameter "session": the CLI sends no cookies/,
    ],
    [
      'pagination without a limit parameter',
      (y) => y.replace('cursorParam: after, limitParam: size,', 'cursorParam: after,'),
      /operation listItems: CLI: x-codex-pagination.limitParam is missing/,
    ],
  ];
  it.each(broken)('fails generation on %s, naming the operation', async (name, edit, message) => {
    await expect(generateEdited(name.replaceAll(' ', '-'), edit)).rejects.toThrow(message);
  });

  // Each reserved flag, from a query parameter named in the spec's style (snake_case).
  it.each(RESERVED_FLAGS.map((flag) => [flag]))(
    'fails generation on a query parameter that maps to --%s',
    async (flag) => {
      const name = flag.replaceAll('-', '_');
      await expect(
        generateEdited(`reserved-${flag}`, addQuery(`{ name: ${name}, in: query, schema: { type: string } }`)),
      ).rejects.toThrow(
        new RegExp(
          `operation listItems: CLI: query parameter "${name}" maps to --${flag}, which the CLI reserves for itself`,
        ),
      );
    },
  );
});
