import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './usage-error';

// The file an import writes its failed lines to, to fix and import again. Checked before anything
// is sent: a run must not import lines and then die on a file it cannot write, losing its summary.

/** Where failed lines go without --failed: next to the file (`rows.jsonl` → `rows.failed.jsonl`). */
export function defaultFailedFile(file: string): string {
  return file === '-' ? 'import.failed.jsonl' : `${file.replace(/\.jsonl?$/, '')}.failed.jsonl`;
}

/** A UsageError unless `path` can be written (created in its directory, or overwritten). */
export function checkWritable(path: string, flag: string): void {
  const refuse = (why: string): never => {
    throw new UsageError(`${flag} ${path} cannot be written: ${why}`);
  };
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) refuse('it is a directory');
    try {
      accessSync(path, constants.W_OK);
    } catch {
      refuse('no permission');
    }
    return;
  }
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) refuse(`no directory ${dir}`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    refuse(`no permission to write in ${dir}`);
  }
}

/**
 * Writes `lines` to `path`. With none: a file named by --failed is written empty (it holds this
 * run's failures), a default one left by an earlier run is removed, as its lines are not this run's.
 * Returns what was done, for the summary, or null when there was nothing to do.
 */
export function writeFailed(path: string, lines: readonly string[], named: boolean): string | null {
  if (lines.length || named) {
    writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
    return null;
  }
  if (!existsSync(path)) return null;
  rmSync(path);
  return `Removed ${path}, left by an earlier run: this run had no failed lines.`;
}
