import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from '../src/json-error-position';

// Small deterministic PRNG (mulberry32), so a failure reproduces.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lineColumn = (text: string, offset: number) => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1) as string).length + 1 };
};

describe('jsonErrorPosition', () => {
  it('finds no error in valid JSON', () => {
    for (const text of ['{}', ' [] ', '"\\u00e9\\n"', '-0.5e+3', 'null', '{"a": [1, {"b": false}], "c": {}}']) {
      expect(jsonErrorPosition(text)).toBeUndefined();
    }
  });

  it('agrees with JSON.parse on validity and, where V8 gives one, on the position (20,000 mutated files)', () => {
    const base = JSON.stringify(
      { profiles: { default: { apiKey: 'cdx_id_a:cdx_sk_b', n: [1, -2.5e3, true, null, {}], s: 'a\\"\u00e9' } } },
      null,
      2,
    );
    const alphabet = '{}[]",:0123456789-+.eEtrufalsn \n\t\\u/x\u0001';
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    let positioned = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = base;
      for (let edits = 1 + pick(3); edits > 0; edits--) {
        const at = pick(text.length + 1);
        const char = alphabet[pick(alphabet.length)];
        const kind = pick(3);
        text = text.slice(0, at) + (kind === 0 ? '' : char) + text.slice(kind === 1 ? at : at + 1);
      }
      let message: string | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        message = (error as Error).message;
      }
      const position = jsonErrorPosition(text);
      expect(position === undefined, text).toBe(message === undefined);
      const v8 = /at position (\d+)/.exec(message ?? '');
      if (v8) {
        positioned++;
        expect(position, text).toEqual(lineColumn(text, Number(v8[1])));
      }
    }
    expect(positioned).toBeGreaterThan(5_000);
  });

  it('does not overflow the stack on deeply nested input', () => {
    expect(jsonErrorPosition(`${'['.repeat(200_000)}x`)).toEqual({ line: 1, column: 200_001 });
  });
});
