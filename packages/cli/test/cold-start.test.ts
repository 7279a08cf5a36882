import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './helpers';

// `codex --help` must start within 1.5x an empty `node` (issue 23): what it loads is the bin and
// the chunks it imports statically, which must not reach @codex/node, the progress bar or the
// table printer (those are imported when a command runs). The timing itself is measured, not
// asserted here (a loaded CI machine makes ratios noisy): see the README.

/** The bare specifiers the bin loads before running anything, following its static relative imports. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const statements = /^\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;
  for (const match of text.matchAll(statements)) {
    const specifier = match[1] ?? match[2];
    if (!specifier) continue;
    if (specifier.startsWith('.')) for (const s of staticImports(join(dirname(file), specifier), seen)) bare.add(s);
    else bare.add(specifier);
  }
  return bare;
}

describe('what `codex --help` loads', () => {
  it('only the bundle (commander included) and Node built-ins', () => {
    expect([...staticImports(BIN)].sort()).toEqual(['node:module']);
  });

  it('the SDK, the progress bar and the table printer only in chunks a command imports', () => {
    const text = readFileSync(BIN, 'utf8');
    expect(text).not.toMatch(/["'](@codex\/node|cli-progress|string-width)["']/);
    expect(text).toMatch(/import\("\.\/auth-token-\w+\.js"\)/);
    expect(text).toMatch(/import\("\.\/run-operation-\w+\.js"\)/);
    expect(text).toMatch(/import\("\.\/import-\w+\.js"\)/);
  });
});
