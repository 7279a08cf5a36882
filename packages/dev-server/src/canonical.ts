/**
 * Stable JSON (object keys sorted), so that the same body always has the same idempotency
 * fingerprint whatever the order of its keys.
 *
 * Iterative, with an explicit stack: a body nested 10,000 levels deep is valid JSON, and a
 * recursive walk overflowed the call stack on it (a 500 instead of the 400 the body deserves;
 * issue 9, item 23).
 */
export function canonical(value: unknown): string {
  let out = '';
  // Each entry is either text to emit as it is, or a value still to serialise.
  const stack: Array<{ text: string } | { value: unknown }> = [{ value }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if ('text' in next) {
      out += next.text;
      continue;
    }
    const current = next.value;
    if (Array.isArray(current)) {
      stack.push({ text: ']' });
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i] });
        if (i > 0) stack.push({ text: ',' });
      }
      out += '[';
    } else if (current && typeof current === 'object') {
      const entries = Object.entries(current).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      stack.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] as [string, unknown];
        stack.push({ value: item });
        stack.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` });
      }
      out += '{';
    } else {
      out += JSON.stringify(current) ?? 'null';
    }
  }
  return out;
}
