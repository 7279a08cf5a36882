type Json = Record<string, unknown>;

const EXTENSION = 'x-codex-wire-only';
const COMBINERS = ['anyOf', 'oneOf'] as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Removes the `anyOf`/`oneOf` branches marked `x-codex-wire-only: true` from the spec, in place,
 * before hey-api reads it for the SDK's types.
 *
 * - Such a branch is a value the API accepts and answers but an SDK never sends (a batch item
 *   that is not a BatchOperation gets its own 400: issue 9, item 20). Validators, Prism and the
 *   dev server keep it; without this step, `BatchOperation | unknown` would make the SDK's
 *   `documents.batch()` accept anything.
 * - A combiner left with one branch becomes that branch (`items: {$ref: BatchOperation}`).
 * - Fails, naming the place, when the extension is anywhere but on a combiner's branch, or when
 *   every branch of a combiner is wire-only.
 */
export function dropWireOnlyBranches(spec: unknown): void {
  const seen = new Set<unknown>();
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${pointer}/${i}`);
      return;
    }
    if (!isObject(node)) return;
    if (EXTENSION in node) {
      throw new Error(`${EXTENSION} at ${pointer || '/'}: only a branch of anyOf or oneOf can be wire-only`);
    }
    for (const combiner of COMBINERS) {
      const branches = node[combiner];
      if (!Array.isArray(branches)) continue;
      const kept = branches.filter((branch) => !(isObject(branch) && branch[EXTENSION] === true));
      if (kept.length === branches.length) continue;
      if (kept.length === 0) throw new Error(`${pointer}/${combiner}: every branch is ${EXTENSION}`);
      if (kept.length === 1 && isObject(kept[0])) {
        delete node[combiner];
        Object.assign(node, kept[0]);
      } else {
        node[combiner] = kept;
      }
    }
    for (const [key, value] of Object.entries(node)) visit(value, `${pointer}/${key}`);
  };
  visit(spec, '');
}
