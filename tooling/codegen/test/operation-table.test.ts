import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, OUTPUT, readTree } from './generate.ts';

const FIXTURE = new URL('./fixtures/mini.yaml', import.meta.url).pathname;

/** Generates from the fixture with `edit` applied to its text; returns the generated tree. */
async function generateEdited(name: string, edit: (yaml: string) => string): Promise<Map<string, string>> {
  const original = await readFile(FIXTURE, 'utf8');
  const edited = edit(original);
  expect(edited, 'the edit must change the fixture').not.toBe(original);
  const spec = join(OUTPUT, `${name}.yaml`);
  await mkdir(OUTPUT, { recursive: true });
  await writeFile(spec, edited);
  await generate(spec, join(OUTPUT, name));
  return readTree(join(OUTPUT, name));
}

describe('codex/operation-table', () => {
  it('adds an operation added to the spec to the table and the types', async () => {
    const tree = await generateEdited('added', (yaml) =>
      yaml.replace(
        '  /items/{id}:\n',
        [
          '  /items/{id}/archive:',
          '    post:',
          '      operationId: archiveItem',
          '      x-codex-resource: items',
          '      x-codex-method: archive',
          '      security: [{ auth: [write] }]',
          '      parameters:',
          '        - { name: id, in: path, required: true, schema: { type: string } }',
          '      responses:',
          "        '200':",
          '          description: ok',
          '          content:',
          '            application/json:',
          "              schema: { $ref: '#/components/schemas/Item' }",
          '  /items/{id}:',
          '',
        ].join('\n'),
      ),
    );
    const table = tree.get('codex/operation-table.gen.ts') ?? '';
    expect(table).toContain(
      [
        '    archiveItem: {',
        "        operationId: 'archiveItem',",
        "        resource: 'items',",
        "        method: 'archive',",
        "        httpMethod: 'POST',",
        "        path: '/items/{id}/archive',",
      ].join('\n'),
    );
    expect(table).toMatch(/archiveItem: \{\n\s+data: ArchiveItemData;\n\s+response: ArchiveItemResponse;/);
    expect(tree.get('codex/resources.gen.ts')).toMatch(/\n {4}archive\(id: string, options\?: RequestOptions\)/);
    // Only what the Client uses is generated: no hey-api client or SDK functions (issue 13).
    expect([...tree.keys()].filter((file) => /sdk|client/.test(file))).toEqual([]);
    expect(tree.get('types.gen.ts')).toMatch(/export type ArchiveItemData = \{/);
  });

  it('carries x-codex-batchable into the row, also for a new op of the batch', async () => {
    const tree = await generateEdited('added-batchable', (yaml) =>
      yaml
        .replace('op: { type: string, enum: [delete] }', 'op: { type: string, enum: [delete, archive] }')
        .replace(
          '  /items/{id}:\n',
          [
            '  /items/{id}/archive:',
            '    post:',
            '      operationId: archiveItem',
            '      x-codex-resource: items',
            '      x-codex-method: archive',
            '      x-codex-batchable: { via: batchItems, op: archive, id: id }',
            '      security: [{ auth: [write] }]',
            '      parameters:',
            '        - { name: id, in: path, required: true, schema: { type: string } }',
            '      responses:',
            "        '204':",
            '          description: archived',
            '  /items/{id}:',
            '',
          ].join('\n'),
        ),
    );
    const table = tree.get('codex/operation-table.gen.ts') ?? '';
    const row = (id: string) => table.match(new RegExp(`\\n {4}${id}: \\{\\n([\\s\\S]*?)\\n {4}\\}`))?.[1] ?? '';
    const batchable = (via: string, op: string, idParam: string, bodyField: string) =>
      [
        '        batchable: {',
        `            via: '${via}',`,
        `            op: '${op}',`,
        `            idParam: ${idParam},`,
        `            bodyField: ${bodyField}`,
        '        }',
      ].join('\n');
    expect(row('archiveItem')).toContain(batchable('batchItems', 'archive', "'id'", 'null'));
    expect(row('createItem')).toContain(batchable('batchItems', 'create', 'null', "'item'"));
    expect(row('deleteItem')).toContain(batchable('batchItems', 'delete', "'id'", 'null'));
    for (const id of ['getToken', 'listItems', 'batchItems']) expect(row(id), id).toMatch(/\n {8}batchable: null$/);
  });

  const broken: Array<[string, (yaml: string) => string, RegExp]> = [
    [
      'missing x-codex-method',
      (y) => y.replace('      x-codex-method: list\n', ''),
      /operation listItems: x-codex-method must be an identifier/,
    ],
    [
      'batch limit disagreeing with the schema',
      (y) => y.replace('maxOperations: 5', 'maxOperations: 6'),
      /operation batchItems: x-codex-batch.maxOperations is 6 but the body's "ops" has maxItems 5/,
    ],
    [
      'idempotency without the header',
      (y) =>
        y.replace('        - { name: Idempotency-Key, in: header, schema: { type: string, maxLength: 255 } }\n', ''),
      /operation createItem: x-codex-idempotency: true and an Idempotency-Key header parameter go together/,
    ],
    [
      'pagination naming a missing parameter',
      (y) => y.replace('cursorParam: after', 'cursorParam: before'),
      /operation listItems: x-codex-pagination names query parameter "before"/,
    ],
    [
      'two operations on one client method',
      (y) => y.replace('      x-codex-method: create\n', '      x-codex-method: list\n'),
      /createItem and listItems both map to client.items.list/,
    ],
    [
      'batchable via an operation that is not a batch',
      (y) => y.replace('{ via: batchItems, op: create', '{ via: listItems, op: create'),
      /operation createItem: x-codex-batchable.via names listItems, which is not a batch operation \(it has no x-codex-batch\)/,
    ],
    [
      'batchable via an unknown operation',
      (y) => y.replace('{ via: batchItems, op: create', '{ via: batchThings, op: create'),
      /operation createItem: x-codex-batchable.via names operation "batchThings", which the spec does not have/,
    ],
    [
      'batchable id naming a missing path parameter',
      (y) => y.replace('op: delete, id: id }', 'op: delete, id: itemId }'),
      /operation deleteItem: x-codex-batchable.id names path parameter "itemId", which the operation does not have \(its path parameters: "id"\)/,
    ],
    [
      'batchable without the id of an operation with a path parameter',
      (y) => y.replace('op: delete, id: id }', 'op: delete }'),
      /operation deleteItem: x-codex-batchable.id is missing: the batch item must carry the value of path parameter "id"/,
    ],
    [
      'batchable body on an operation without a request body',
      (y) => y.replace('op: delete, id: id }', 'op: delete, id: id, body: item }'),
      /operation deleteItem: x-codex-batchable.body is "item" but the operation has no request body/,
    ],
    [
      'batchable without the body of an operation with a request body',
      (y) => y.replace('op: create, body: item }', 'op: create }'),
      /operation createItem: x-codex-batchable.body is missing: the operation has a request body/,
    ],
    [
      'batchable op the batch does not take',
      (y) => y.replace('op: create, body: item }', 'op: upsert, body: item }'),
      /operation createItem: x-codex-batchable.op "upsert" is not an op of batchItems \(its ops: create, delete\)/,
    ],
    [
      'batchable body field the batch item does not have',
      (y) => y.replace('op: create, body: item }', 'op: create, body: payload }'),
      /operation createItem: x-codex-batchable.body: batchItems's "create" item has no "payload" field/,
    ],
    [
      'batchable with an unknown key',
      (y) => y.replace('op: delete, id: id }', 'op: delete, idParam: id }'),
      /operation deleteItem: x-codex-batchable has unknown key\(s\) "idParam"; it takes via, op, id, body/,
    ],
  ];
  it.each(broken)('fails generation on %s, naming the operation', async (name, edit, message) => {
    await expect(generateEdited(name.replaceAll(' ', '-'), edit)).rejects.toThrow(message);
  });
});
