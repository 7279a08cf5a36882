import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { $, type IR } from '@hey-api/openapi-ts';
import { renderApiReference } from './api-reference.ts';
import { writeCommands } from './cli.ts';
import { collectOperation, isObject, type OperationEntry } from './collect.ts';
import { describeResources } from './methods.ts';
import { emitResources, runtimeSymbols } from './resources.ts';
import type { OperationTablePlugin } from './types.ts';

/**
 * Emits `codex/operation-table.gen.ts` and `codex/resources.gen.ts` (see resources.ts), writes
 * `api.md` when `apiReference` says where (see api-reference.ts) and the CLI's
 * `commands.gen.ts` when `cli` does (see cli.ts):
 * - `operations`: one entry per operation with what the hand-written runtime needs to call it
 *   (HTTP method, path, parameters, scopes, idempotency, pagination, batch limit, and which batch
 *   operation a single call can be folded into), `as const`;
 * - `OperationTypes`: operationId -> the request/response/error types of `@hey-api/typescript`.
 *
 * Facts OpenAPI cannot express come from `x-codex-*` extensions (see openapi/codex.yaml's
 * description); `collectOperation` validates them and fails generation when they are wrong.
 */
export const handler: OperationTablePlugin['Handler'] = ({ plugin }) => {
  const spec = plugin.context.spec as unknown as Record<string, unknown>;
  const entries: OperationEntry[] = [];
  const typeRefs: Array<{ id: string; operationId: string }> = [];
  const collected: Array<{ operation: IR.OperationObject; entry: OperationEntry }> = [];

  plugin.forEach('operation', ({ operation }) => {
    const entry = collectOperation(operation, spec);
    entries.push(entry);
    collected.push({ operation, entry });
    typeRefs.push({ id: operation.id, operationId: entry.operationId });
  });

  const seen = new Map<string, string>();
  for (const entry of entries) {
    const key = `${entry.resource}.${entry.method}`;
    const other = seen.get(key);
    if (other) {
      throw new Error(
        `codex/operation-table: ${entry.operationId} and ${other} both map to client.${key}; give one a different x-codex-method.`,
      );
    }
    seen.set(key, entry.operationId);
  }

  const table: Record<string, OperationEntry> = {};
  for (const entry of entries) table[entry.operationId] = entry;

  const tableSymbol = plugin.symbol(plugin.config.tableName, {
    meta: { category: 'utility', resource: 'codex', role: 'operation-table' },
  });
  plugin.node(
    $.const(tableSymbol)
      .export()
      .doc([
        'Every operation of the Codex API, keyed by operationId, for the hand-written runtime.',
        'Generated from openapi/codex.yaml (x-codex-* extensions included).',
      ])
      .assign($($.fromValue(table, { layout: 'pretty' })).as('const')),
  );

  const typeOrNever = (id: string, role: string) => {
    const symbol = plugin.querySymbol({ category: 'type', resource: 'operation', resourceId: id, role });
    return symbol ? $.type(symbol) : $.type('never');
  };
  const typesSymbol = plugin.symbol(plugin.config.typesName, {
    meta: { category: 'type', resource: 'codex', role: 'operation-types' },
  });
  let typeMap = $.type.object();
  for (const { id, operationId } of typeRefs) {
    typeMap = typeMap.prop(operationId, (p) =>
      p.type(
        $.type
          .object()
          .prop('data', (d) => d.type(typeOrNever(id, 'data')))
          .prop('response', (r) => r.type(typeOrNever(id, 'response')))
          .prop('error', (e) => e.type(typeOrNever(id, 'error'))),
      ),
    );
  }
  plugin.node(
    $.type
      .alias(typesSymbol)
      .export()
      .doc(['operationId -> its request options (`data`), success body (`response`) and error body (`error`).'])
      .type(typeMap),
  );

  const { resources: emit, apiReference, cli } = plugin.config;
  if (cli) writeCommands(cli.file, spec, entries);
  if (!emit && !apiReference) return;
  const runtime = runtimeSymbols(plugin);
  const resources = describeResources(plugin, spec, collected, runtime);
  if (emit) emitResources(plugin, resources, runtime);
  if (apiReference) {
    // Links relative to api.md, `/`-separated whatever the OS.
    const link = (target: string) => relative(dirname(apiReference.file), target).split(sep).join('/');
    const info = isObject(spec.info) ? spec.info : {};
    const markdown = renderApiReference(
      resources,
      entries.filter((entry) => !entry.auth),
      {
        types: link(join(plugin.context.config.output.path, 'types.gen.ts')),
        ...(apiReference.guide && { guide: link(apiReference.guide) }),
      },
      typeof info.title === 'string' ? info.title : 'API',
    );
    mkdirSync(dirname(apiReference.file), { recursive: true });
    writeFileSync(apiReference.file, markdown);
  }
};
