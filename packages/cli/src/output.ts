import { renderTable } from './table';

// Where results go: stdout, as JSON (`json`), one JSON value per line (`jsonl`) or a table for a
// person (`table`). Without --output, a list is a table in a terminal and JSON Lines otherwise;
// everything else is JSON, indented in a terminal and on one line otherwise.

export type Format = 'json' | 'jsonl' | 'table';

export function formatOf(flag: string | undefined, list: boolean): Format {
  if (flag === 'json' || flag === 'jsonl' || flag === 'table') return flag;
  if (list) return process.stdout.isTTY ? 'table' : 'jsonl';
  return 'json';
}

export function write(text: string): void {
  process.stdout.write(text);
}

export function writeJson(value: unknown): void {
  write(`${JSON.stringify(value, null, process.stdout.isTTY ? 2 : undefined)}\n`);
}

export function writeLines(items: readonly unknown[]): void {
  if (items.length) write(items.map((item) => `${JSON.stringify(item)}\n`).join(''));
}

export function writeTable(items: readonly unknown[]): void {
  if (items.length === 0) {
    process.stderr.write('(none)\n');
    return;
  }
  // Not a terminal (a pipe to less, a file): $COLUMNS, else a wide page.
  const width = process.stdout.columns || Number.parseInt(process.env.COLUMNS ?? '', 10) || 160;
  const { text, hidden } = renderTable(items, width);
  write(text);
  if (hidden.length)
    process.stderr.write(`(not shown for want of width: ${hidden.join(', ')}; --output json shows all)\n`);
}

/** One value (a document, an outcome list, a summary) in `format`. */
export function writeValue(value: unknown, format: Format): void {
  if (format === 'jsonl') writeLines([value]);
  else if (format === 'table') writeTable([value]);
  else writeJson(value);
}
