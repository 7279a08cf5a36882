import type { CommandSpec, CommandTable } from '../src/command-table';

// A command table built by hand, not by the generator: a resource the spec does not have
// (`widgets`), with every kind of parameter, so that the runtime is tested on what the contract
// allows rather than on today's spec.

const base = {
  auth: true,
  idempotency: false,
  pagination: null,
  batch: null,
  batchable: null,
  queryParams: [],
  pathParams: [],
  body: null,
} as const;

const widgetId = {
  name: 'widget_id',
  flag: 'widget-id',
  type: 'string',
  required: true,
  pattern: '^w_[a-z0-9]+$',
} as const;

export const listWidgets: CommandSpec = {
  ...base,
  operationId: 'listWidgets',
  resource: 'widgets',
  command: 'list',
  summary: 'List widgets',
  httpMethod: 'GET',
  path: '/widgets',
  queryParams: [
    { name: 'page_size', flag: 'page-size', type: 'integer', required: false, minimum: 1, maximum: 50, default: 10 },
    { name: 'after', flag: 'after', type: 'string', required: false, minLength: 1 },
    { name: 'color', flag: 'color', type: 'string', required: false, enum: ['red', 'blue'] },
    { name: 'min_weight', flag: 'min-weight', type: 'number', required: false, minimum: 0 },
    { name: 'active', flag: 'active', type: 'boolean', required: false },
  ],
  pagination: { cursorParam: 'after', limitParam: 'page_size', itemsField: 'items', nextCursorField: 'next' },
};

export const createWidget: CommandSpec = {
  ...base,
  operationId: 'createWidget',
  resource: 'widgets',
  command: 'create',
  summary: 'Create a widget',
  description: 'Makes a widget.',
  httpMethod: 'POST',
  path: '/widgets',
  idempotency: true,
  body: {
    required: true,
    dataOnly: false,
    additionalProperties: false,
    fields: [
      { name: 'name', flag: 'name', type: 'string', required: true, minLength: 1, maxLength: 5, maxBytes: 8 },
      { name: 'size', flag: 'size', type: 'integer', required: true, enum: [1, 2, 3] },
      { name: 'labels', flag: 'labels', type: 'map', required: false, maxProperties: 2 },
    ],
  },
  batchable: { via: 'batchWidgets', op: 'create', idParam: null, bodyField: 'widget' },
};

export const patchPart: CommandSpec = {
  ...base,
  operationId: 'patchPart',
  resource: 'widgets',
  command: 'patch-part',
  summary: 'Change a part of a widget',
  httpMethod: 'PATCH',
  path: '/widgets/{widget_id}/parts/{part}',
  pathParams: [widgetId, { name: 'part', flag: 'part', type: 'integer', required: true, minimum: 0 }],
  body: {
    required: true,
    dataOnly: false,
    additionalProperties: false,
    minProperties: 1,
    fields: [{ name: 'name', flag: 'name', type: 'string', required: false }],
  },
};

export const batchWidgets: CommandSpec = {
  ...base,
  operationId: 'batchWidgets',
  resource: 'widgets',
  command: 'batch',
  summary: 'Many widget operations',
  httpMethod: 'POST',
  path: '/widgets/batch',
  idempotency: true,
  body: { required: true, dataOnly: true, additionalProperties: true, fields: [] },
  batch: { operationsField: 'ops', resultsField: 'results', maxOperations: 10 },
};

export const findGadgets: CommandSpec = {
  ...base,
  operationId: 'findGadgets',
  resource: 'gadgets',
  command: 'find',
  summary: 'Find gadgets',
  httpMethod: 'GET',
  path: '/gadgets/{kind}',
  pathParams: [{ name: 'kind', flag: 'kind', type: 'string', required: true, enum: ['big', 'small'] }],
  queryParams: [{ name: 'q', flag: 'q', type: 'string', required: true }],
};

export const exchange: CommandSpec = {
  ...base,
  operationId: 'exchange',
  resource: 'auth',
  command: 'exchange',
  summary: 'Exchange credentials',
  httpMethod: 'POST',
  path: '/auth/exchange',
  auth: false,
  body: {
    required: true,
    dataOnly: false,
    additionalProperties: false,
    fields: [{ name: 'secret', flag: 'secret', type: 'string', required: true }],
  },
};

export const table: CommandTable = [listWidgets, createWidget, patchPart, batchWidgets, findGadgets, exchange];
