/**
 * Where `text` stops being valid JSON, as a 1-based line and column, or undefined if it is valid.
 *
 * For error messages about files that hold secrets: JSON.parse's own message quotes the text
 * around the error (V8: `Unexpected token 'c', ..."apiKey": cdx_sk_sec"...`), which would put the
 * secret in logs. This finds the position without quoting anything.
 */
export function jsonErrorPosition(text: string): { line: number; column: number } | undefined {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const WS = /[ \t\n\r]*/y;
const DIGITS = /[0-9]*/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Offset of the first character that cannot continue a JSON text (text.length if it ends early). */
function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const skip = (pattern: RegExp): number => {
    pattern.lastIndex = at;
    pattern.test(text);
    const length = pattern.lastIndex - at;
    at = pattern.lastIndex;
    return length;
  };
  const ws = () => skip(WS);
  const expect = (char: string) => (text[at] === char ? at++ : fail());
  const string = () => {
    expect('"');
    for (;;) {
      const char = text.charCodeAt(at);
      if (Number.isNaN(char) || char < 0x20) fail();
      at++;
      if (char === 0x22) return;
      if (char === 0x5c) {
        const escaped = text[at];
        if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) at++;
        else if (escaped === 'u') {
          at++;
          HEX4.lastIndex = at;
          if (!HEX4.test(text)) fail();
          at += 4;
        } else fail();
      }
    }
  };
  const number = () => {
    if (text[at] === '-') at++;
    if (text[at] === '0') at++;
    else if (!skip(DIGITS)) fail();
    if (text[at] === '.') {
      at++;
      if (!skip(DIGITS)) fail();
    }
    if (text[at] === 'e' || text[at] === 'E') {
      at++;
      if (text[at] === '+' || text[at] === '-') at++;
      if (!skip(DIGITS)) fail();
    }
  };
  const literal = (word: string) => {
    for (const char of word) expect(char);
  };
  const key = () => {
    string();
    ws();
    expect(':');
    ws();
  };
  // Iterative, so a deeply nested file cannot overflow the stack: `closers` holds the closing
  // bracket of each open container.
  const closers: ('}' | ']')[] = [];
  try {
    ws();
    for (;;) {
      // A value.
      const first = text[at];
      if (first === '{' || first === '[') {
        const close = first === '{' ? '}' : ']';
        at++;
        ws();
        if (text[at] !== close) {
          closers.push(close);
          if (close === '}') key();
          continue;
        }
        at++;
      } else if (first === '"') string();
      else if (first === 't') literal('true');
      else if (first === 'f') literal('false');
      else if (first === 'n') literal('null');
      else number();
      // After a value: close containers, or go on to the next member.
      ws();
      for (;;) {
        const close = closers.at(-1);
        if (close === undefined) return at < text.length ? at : undefined;
        if (text[at] !== close) break;
        closers.pop();
        at++;
        ws();
      }
      expect(',');
      ws();
      if (closers.at(-1) === '}') key();
    }
  } catch (offset) {
    return offset as number;
  }
}
