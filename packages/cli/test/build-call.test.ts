import { describe, expect, it } from 'vitest';
import { buildCall, type CallInput } from '../src/build-call';
import { UsageError } from '../src/usage-error';
import { batchWidgets, createWidget, findGadgets, listWidgets, patchPart } from './fixture-table';

// The command line as a client call, from a hand-made table: the arguments in the generated
// methods' order, every value checked against the spec before anything is sent.

const input = (partial: Partial<CallInput>): CallInput => ({ args: [], flags: {}, ...partial });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('buildCall', () => {
  it('a paginated list: the query by wire name, values as their types', () => {
    const call = buildCall(
      listWidgets,
      input({
        flags: { 'page-size': '50', after: 'c1', color: 'red', 'min-weight': '0.5', active: 'false', output: 'table' },
      }),
    );
    expect(call).toEqual({
      args: [{ page_size: 50, after: 'c1', color: 'red', min_weight: 0.5, active: false }],
      options: {},
    });
    expect(buildCall(listWidgets, input({})).args).toEqual([{}]);
  });

  it.each([
    [{ 'page-size': '51' }, '--page-size must be at most 50 (got 51)'],
    [{ 'page-size': '0' }, '--page-size must be at least 1 (got 0)'],
    [{ 'page-size': '1e1' }, "--page-size must be an integer (got '1e1')"],
    [{ 'page-size': '99999999999999999999' }, "--page-size must be an integer (got '99999999999999999999')"],
    [{ after: '' }, '--after must not be empty'],
    [{ color: 'green' }, "--color must be one of red, blue (got 'green')"],
    [{ 'min-weight': '-1' }, '--min-weight must be at least 0 (got -1)'],
    [{ 'min-weight': 'heavy' }, "--min-weight must be a number (got 'heavy')"],
    [{ active: 'yes' }, "--active must be true or false (got 'yes')"],
  ])('refuses %j', (flags, message) => {
    expect(refusal(() => buildCall(listWidgets, input({ flags })))).toBe(message);
  });

  it('a body from flags, --data or both (flags win), with the idempotency key as an option', () => {
    expect(
      buildCall(
        createWidget,
        input({ flags: { name: 'cog', size: '2', labels: ['a=1', 'b=x=y'] }, idempotencyKey: 'k-1' }),
      ),
    ).toEqual({ args: [{ name: 'cog', size: 2, labels: { a: '1', b: 'x=y' } }], options: { idempotencyKey: 'k-1' } });
    // A schema without `additionalProperties: false` takes fields it does not name.
    const open = {
      ...createWidget,
      body: { ...(createWidget.body as NonNullable<typeof createWidget.body>), additionalProperties: true },
    };
    expect(buildCall(open, input({ data: '{"name":"a","size":1,"extra":true}' })).args).toEqual([
      { name: 'a', size: 1, extra: true },
    ]);
    expect(buildCall(createWidget, input({ data: '{"name":"a","size":1}', flags: { name: 'b' } })).args).toEqual([
      { name: 'b', size: 1 },
    ]);
  });

  it.each([
    [{ flags: { name: 'cog' } }, 'missing --size (or the whole body as --data)'],
    [{ flags: {} }, 'missing --name, --size (or the whole body as --data)'],
    [{ data: '{"size":1}' }, '--data has no "name"'],
    [{ data: '{"name":"toolong","size":1}' }, '"name" in --data must have at most 5 characters'],
    [{ data: '{"name":"a","size":4}' }, '"size" in --data must be one of 1, 2, 3 (got \'4\')'],
    [{ data: '{"name":"a","size":"1"}' }, '"size" in --data must be an integer'],
    [{ data: '{"name":"a","size":1,"labels":{"a":1}}' }, '"labels" in --data must have string values only'],
    [{ data: '{"name":"a","size":1,"labels":[]}' }, '"labels" in --data must be an object of strings'],
    [{ data: 'null' }, "--data must be a JSON object (got 'null')"],
    [{ flags: { name: 'a', size: '1', labels: ['a=1', 'b=2', 'c=3'] } }, '--labels takes at most 2 entries (got 3)'],
    [{ flags: { name: 'a', size: '1', labels: ['=1'] } }, "--labels takes key=value (got '=1')"],
    [{ flags: { name: 'a', size: '1', labels: ['a=1', 'a=2'] } }, "--labels: 'a' is given twice"],
    [
      { flags: { name: 'a', size: '1' }, idempotencyKey: '' },
      '--idempotency-key must be 1 to 255 visible ASCII characters, without spaces',
    ],
    [
      { flags: { name: 'a', size: '1' }, idempotencyKey: 'é' },
      '--idempotency-key must be 1 to 255 visible ASCII characters, without spaces',
    ],
  ])('refuses %j', (partial, message) => {
    expect(refusal(() => buildCall(createWidget, input(partial as Partial<CallInput>)))).toBe(message);
  });

  it('--data that is not JSON', () => {
    expect(refusal(() => buildCall(createWidget, input({ data: '{' })))).toMatch(/^--data is not JSON: /);
  });

  it('path parameters first, in the path order, checked; then the body; minProperties', () => {
    expect(buildCall(patchPart, input({ args: ['w_1', '3'], flags: { name: 'x' } })).args).toEqual([
      'w_1',
      '3',
      { name: 'x' },
    ]);
    expect(refusal(() => buildCall(patchPart, input({ args: ['nope', '3'], flags: { name: 'x' } })))).toBe(
      "<widget-id> must match ^w_[a-z0-9]+$ (got 'nope')",
    );
    expect(refusal(() => buildCall(patchPart, input({ args: ['w_1', '-1'], flags: { name: 'x' } })))).toBe(
      '<part> must be at least 0 (got -1)',
    );
    expect(refusal(() => buildCall(patchPart, input({ args: ['w_1', '3'] })))).toBe(
      'give at least one of --name (or --data)',
    );
    expect(refusal(() => buildCall(patchPart, input({ args: ['w_1', '3'], data: '{}' })))).toBe(
      'give at least one of --name (or --data)',
    );
  });

  it('an operation without a body and with a query: path, then the query', () => {
    expect(buildCall(findGadgets, input({ args: ['big'], flags: { q: 'x' } })).args).toEqual(['big', { q: 'x' }]);
    expect(refusal(() => buildCall(findGadgets, input({ args: ['big'] })))).toBe('--q is required');
    expect(refusal(() => buildCall(findGadgets, input({ args: ['huge'], flags: { q: 'x' } })))).toBe(
      "<kind> must be one of big, small (got 'huge')",
    );
  });

  it('a batch: its operations, from the request body or as the array alone', () => {
    const ops = [{ op: 'create', widget: { name: 'a' } }];
    expect(buildCall(batchWidgets, input({ data: JSON.stringify({ ops }) })).args).toEqual([ops]);
    expect(buildCall(batchWidgets, input({ data: JSON.stringify(ops) })).args).toEqual([ops]);
    expect(refusal(() => buildCall(batchWidgets, input({})))).toBe('--data is required: the request body, as JSON');
    expect(refusal(() => buildCall(batchWidgets, input({ data: '{"operations":[]}' })))).toBe(
      '--data must be {"ops": [...]} (the request body) or the array of operations',
    );
    expect(refusal(() => buildCall(batchWidgets, input({ data: '{"ops":[]}' })))).toBe('--data has no ops');
  });

  it('an import line: named as such in messages', () => {
    expect(refusal(() => buildCall(createWidget, input({ data: '{"size":1}', dataName: 'the line' })))).toBe(
      'the line has no "name"',
    );
  });
});

describe('the spec checks of a body given whole', () => {
  it('additionalProperties: false: a field the schema does not name is refused, nothing sent', () => {
    expect(refusal(() => buildCall(createWidget, input({ data: '{"name":"a","size":1,"owner":"me"}' })))).toBe(
      "--data has 'owner': not a field (the fields are name, size, labels)",
    );
  });

  it('x-codex-max-bytes: a string is measured in bytes of UTF-8, not characters', () => {
    // 4 characters, within maxLength 5, but 12 bytes of UTF-8: over maxBytes 8.
    expect(refusal(() => buildCall(createWidget, input({ flags: { name: '日本語x', size: '1' } })))).toBe(
      '--name must be at most 8 bytes of UTF-8 (got 10)',
    );
    expect(buildCall(createWidget, input({ flags: { name: 'ab', size: '1' } })).args).toEqual([
      { name: 'ab', size: 1 },
    ]);
  });
});
