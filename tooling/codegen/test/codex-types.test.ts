import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropWireOnlyBranches } from '../src/wire-only.ts';
import { generate, OUTPUT, readTree } from './generate.ts';

const SPEC = new URL('../../../openapi/codex.yaml', import.meta.url).pathname;

describe('the SDK types generated from openapi/codex.yaml', () => {
  it('types what the SDK sends precisely: the token request with its secret, batch items as BatchOperation', async () => {
    const out = join(OUTPUT, 'codex');
    await generate(SPEC, out);
    const types = (await readTree(out)).get('types.gen.ts') ?? '';
    // Issue 9, item 21: writeOnly on a request-only schema dropped client_secret from TokenRequest.
    expect(types).toMatch(/export type TokenRequest = \{[^}]*\n {4}client_secret: string;/);
    expect(types).toMatch(/export type IssueTokenData = \{\n {4}body: TokenRequest;/);
    // Issue 9, item 20: the wire accepts any item; the SDK's batch() still takes BatchOperation[].
    expect(types).toMatch(/export type BatchRequest = \{[^}]*\n {4}operations: Array<BatchOperation>;\n\};/);
  });
});

describe('x-codex-wire-only', () => {
  const wireOnly = { not: { type: 'string' }, 'x-codex-wire-only': true };

  it('leaves the branch out; a single branch left becomes the schema', () => {
    const spec = { a: { description: 'd', anyOf: [{ $ref: '#/x' }, wireOnly] } };
    dropWireOnlyBranches(spec);
    expect(spec).toEqual({ a: { description: 'd', $ref: '#/x' } });
  });

  it('keeps the other branches of a combiner', () => {
    const spec = { a: { oneOf: [{ type: 'string' }, wireOnly, { type: 'integer' }] } };
    dropWireOnlyBranches(spec);
    expect(spec).toEqual({ a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } });
  });

  it('fails, naming the place, when the extension is not on a branch or every branch is wire-only', () => {
    expect(() => dropWireOnlyBranches({ components: { schemas: { A: wireOnly } } })).toThrow(
      /x-codex-wire-only at \/components\/schemas\/A: only a branch of anyOf or oneOf/,
    );
    expect(() => dropWireOnlyBranches({ b: { anyOf: [wireOnly] } })).toThrow(/\/b\/anyOf: every branch is/);
  });
});
