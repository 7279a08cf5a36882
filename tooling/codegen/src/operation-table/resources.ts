import { $ } from '@hey-api/openapi-ts';
import { clean, type Plugin, type PluginSymbol, type Resource, type RuntimeTypes } from './methods.ts';

/** Where the generated classes find the hand-written runtime, relative to `codex/resources.gen.ts`. */
const RUNTIME = '../..';

/** The hand-written runtime's symbols that `codex/resources.gen.ts` imports. */
export type RuntimeSymbols = RuntimeTypes & {
  APIResource: PluginSymbol;
  call: PluginSymbol;
  paginate: PluginSymbol;
  batch: PluginSymbol;
  table: PluginSymbol;
};

export function runtimeSymbols(plugin: Plugin): RuntimeSymbols {
  const external = (name: string, module: string, kind?: 'type') =>
    plugin.symbol(name, { external: `${RUNTIME}/${module}`, ...(kind && { kind }) });
  return {
    APIResource: external('APIResource', 'resources'),
    call: external('call', 'resources'),
    paginate: external('paginate', 'resources'),
    batch: external('batch', 'resources'),
    // The table as the runtime checks it (OperationSpec), under a name no parameter shadows.
    table: external('operationTable', 'operations'),
    APIPromise: external('APIPromise', 'api-promise', 'type'),
    PagePromise: external('PagePromise', 'pagination', 'type'),
    BatchPromise: external('BatchPromise', 'batch', 'type'),
    BatchOptions: external('BatchOptions', 'batch', 'type'),
    RequestOptions: external('RequestOptions', 'types', 'type'),
  };
}

/**
 * Emits `codex/resources.gen.ts`: one class per `x-codex-resource`, one method per operation
 * (the token endpoint aside: the SDK calls it itself), with named, typed parameters and the spec's
 * summary, description and error statuses as JSDoc. Each method is one call to a hand-written
 * helper of packages/core/src/resources.ts with the operation's row of the table.
 */
export function emitResources(plugin: Plugin, resources: Resource[], runtime: RuntimeSymbols): void {
  const file = { getFilePath: () => 'codex/resources' };

  for (const { resource, className, methods } of resources) {
    const symbol = plugin.symbol(className, {
      ...file,
      meta: { category: 'utility', resource: 'codex', role: 'resource', resourceId: resource },
    });
    const node = $.class(symbol)
      .export()
      .extends(runtime.APIResource)
      .doc([`\`client.${resource}\`: the ${resource} operations of the Codex API.`]);

    methods.forEach(({ operation, entry, kind, params, returns, input, errors }, position) => {
      let argument = $.object();
      for (const { key, from } of input) {
        if (key === 'path') {
          let path = $.object();
          for (const name of from) path = path.prop(name, $(name));
          argument = argument.prop('path', path);
        } else {
          argument = argument.prop(key, $(from[0] as string));
        }
      }

      const doc: string[] = [];
      if (operation.summary) doc.push(clean(operation.summary));
      if (operation.description) doc.push(...(doc.length ? [''] : []), ...clean(operation.description).split('\n'));
      if (doc.length) doc.push('');
      doc.push(`\`${entry.httpMethod} ${entry.path}\` (operationId \`${entry.operationId}\`).`, '');
      for (const param of params) doc.push(`@param ${param.name} - ${param.doc}`);
      for (const { status, errorClass, description } of errors) {
        doc.push(`@throws {${errorClass}} ${status}${description ? ` — ${description}` : ''}`);
      }

      if (position > 0) node.newline();
      node.method(entry.method, (m) => {
        m.doc(doc).returns(returns.node);
        for (const param of params) m.param(param.name, (p) => p.type(param.type.node).optional(param.optional));
        m.do(
          $.return($(runtime[kind]).call($('this'), $(runtime.table).attr(entry.operationId), argument, $('options'))),
        );
      });
    });
    plugin.node(node);
  }
}
