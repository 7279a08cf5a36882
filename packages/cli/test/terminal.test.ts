import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, codex, devServer, environment, recordRun } from './helpers';

// In a terminal (a pseudo-terminal from util-linux's `script`): a list is a table, an import
// draws a progress bar (cli-progress) on stderr, and the summary is for a person, not JSON.

const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** `codex <args>` with stdin, stdout and stderr on one terminal of 100 columns; its output as the terminal got it. */
async function inTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const command = `stty cols 100 2>/dev/null; ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const { spawn } = await import('node:child_process');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // stdout and stderr share the terminal: all of it is checked for the secret and tokens.
  recordRun({ args, code, signal: null, stdout: output, stderr: '' });
  return { code, output: output.replaceAll('\r\n', '\n') };
}

describe.skipIf(!hasScript)('in a terminal', () => {
  it('list prints a table by default; get prints indented JSON', async () => {
    const server = await devServer();
    const env = environment(server);
    await codex(['documents', 'create', '--title', 'Quarterly report', '--content', 'Numbers'], env);
    const list = await inTerminal(['documents', 'list'], env);
    expect(list.code).toBe(0);
    const lines = list.output.trim().split('\n');
    // 100 columns hold all but the last field, which stderr names.
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+CONTENT\s+METADATA\s+CREATED_AT$/);
    expect(lines[1]).toMatch(/^doc_\w{32}\s+Quarterly report\s+Numbers\s+\d{4}-\d\d-\d\dT/);
    expect(lines[2]).toBe('(not shown for want of width: updated_at; --output json shows all)');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);

    const id = lines[1]?.split(' ')[0] as string;
    const get = await inTerminal(['documents', 'get', id], env);
    expect(get.output).toMatch(/^\{\n {2}"id": "doc_/);
  });

  it('import draws a progress bar on stderr and ends with the summary, no JSON', async () => {
    const server = await devServer({ rateLimit: { limit: 4, windowSeconds: 1 } });
    const env = environment(server);
    const file = join(env.HOME as string, 'rows.jsonl');
    writeFileSync(
      file,
      Array.from({ length: 1000 }, (_, i) => JSON.stringify({ title: `T${i}`, content: 'c' })).join('\n'),
    );
    const run = await inTerminal(['documents', 'import', file], env);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/documents import \[[█░]+\] \d+% \| \d+\/1000 lines/);
    expect(run.output).toMatch(/imported 1000 of 1000 lines, 0 failed, in \d+ requests, \d+\.\d s\n$/);
    expect(run.output).not.toContain('"imported"');
  });
});
