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
  ];
  it.each(broken)('fails generation on %s, naming the operation', async (name, edit, message) => {
    await expect(generateEdited(name.replaceAll(' ', '-'), edit)).rejects.toThrow(message);
  });
});
