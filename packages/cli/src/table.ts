import stringWidth from 'string-width';
import { CONTROL_CHARACTERS } from './control-characters';

// `--output table`: items as aligned columns that fit the terminal, for a person reading a list.
// Hand-written (about 60 lines) rather than a table library: columns come from the items' own
// fields, cells are cut to fit the terminal's width, and terminal control characters in the data
// are neutralised. cli-table3 draws boxes and leaves the fitting to the caller; string-width
// (already installed by cli-progress) measures wide characters.

const GAP = '  ';
/** No column is cut narrower than this, whatever the terminal's width. */
const MIN_WIDTH = 6;

/** A cell's text on one line, without control characters (a title could hold an escape sequence). */
function cellText(value: unknown, limit: number): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'string') text = value;
  else if (typeof value !== 'object') text = String(value);
  else if (!Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string'))
    text = Object.entries(value as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  else text = JSON.stringify(value);
  // Measured below character by character: a cell shows at most `limit` columns, so a document's
  // whole content (up to 1 MiB) need not be measured.
  if (text.length > limit * 2) text = `${text.slice(0, limit * 2)}…`;
  return text.replace(/[\t\n\r]+/g, ' ').replace(CONTROL_CHARACTERS, '\ufffd');
}

/** `text` cut to `width` columns, with … when cut. */
function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = stringWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/**
 * The widths of the columns that fit `total`, from the left: columns of text (`prose`: values with
 * spaces, such as a title) give way first, each keeping its natural width up to a common cap, the
 * largest that fits, never below MIN_WIDTH; IDs and timestamps stay whole. When that is not enough,
 * the last columns are left out (the result is shorter); a lone column is cut to the width.
 */
export function columnWidths(natural: readonly number[], total: number, prose: readonly boolean[] = []): number[] {
  for (let kept = natural.length; kept > 1; kept--) {
    const widths = natural.slice(0, kept);
    const budget = total - GAP.length * (kept - 1);
    const capped = (cap: number) => widths.map((w, i) => (prose[i] ? Math.min(w, cap) : w));
    const fits = (cap: number) => capped(cap).reduce((sum, w) => sum + w, 0) <= budget;
    if (!fits(MIN_WIDTH)) continue;
    let low = MIN_WIDTH;
    let high = Math.max(MIN_WIDTH, ...widths);
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(mid)) low = mid;
      else high = mid - 1;
    }
    return capped(low);
  }
  return natural.length ? [Math.min(natural[0] as number, Math.max(MIN_WIDTH, total))] : [];
}

/**
 * The rows as a table of at most `width` columns: a header of the items' field names, one line per
 * item. `hidden`: the fields left out for want of width.
 */
export function renderTable(items: readonly unknown[], width: number): { text: string; hidden: string[] } {
  const rows = items.map((item) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? (item as Record<string, unknown>)
      : { value: item },
  );
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const header = columns.map((c) => cellText(c.toUpperCase(), width));
  const cells = rows.map((row) => columns.map((c) => cellText(row[c], width)));
  const natural = columns.map((_, i) =>
    cells.reduce((most, row) => Math.max(most, stringWidth(row[i] ?? '')), stringWidth(header[i] ?? '')),
  );
  const prose = columns.map((_, i) => cells.some((row) => (row[i] ?? '').includes(' ')));
  const widths = columnWidths(natural, width, prose);
  const line = (texts: readonly string[]) =>
    widths
      .map((w, i) => {
        const cut = truncate(texts[i] ?? '', w);
        return i === widths.length - 1 ? cut : cut + ' '.repeat(Math.max(0, w - stringWidth(cut)));
      })
      .join(GAP)
      .trimEnd();
  return { text: `${[header, ...cells].map(line).join('\n')}\n`, hidden: columns.slice(widths.length) };
}
