import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands.gen';
import { completionScript } from '../src/completion';
import { buildProgram } from '../src/program';
import { codex, environment, tempDir } from './helpers';

// `codex completion bash|zsh`. The bash script is run by bash: what TAB offers after the words
// typed so far. zsh is checked for syntax where it is installed (Debian's zsh), and for content.

const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const bashScript = completionScript('bash', buildProgram(commands));
const zshScript = completionScript('zsh', buildProgram(commands));

/** What bash completes for `line` (the last word is the one being completed), run in `cwd`. */
function complete(line: string, cwd = tempDir()): string[] {
  const words = line.split(' ');
  const script = join(cwd, 'codex-completion.bash');
  writeFileSync(script, bashScript);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source ${script}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _codex; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd, encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  return run.stdout.split('\n').filter(Boolean);
}

describe.skipIf(!has('bash'))('bash completion', () => {
  it('commands, then subcommands', () => {
    expect(complete('codex ')).toEqual(
      expect.arrayContaining(['auth', 'completion', 'documents', '--base-url', '--verbose']),
    );
    expect(complete('codex d')).toEqual(['documents']);
    expect(complete('codex documents ')).toEqual(
      expect.arrayContaining(['batch', 'create', 'delete', 'get', 'import', 'list', 'update']),
    );
    expect(complete('codex documents up')).toEqual(['update']);
    expect(complete('codex auth ')).toEqual(expect.arrayContaining(['token']));
  });

  it("a command's flags, skipping the values of those that take one", () => {
    expect(complete('codex documents list --')).toEqual(
      expect.arrayContaining(['--limit', '--cursor', '--all', '--output', '--base-url', '--help']),
    );
    expect(complete('codex documents list --limit 5 --a')).toEqual(['--all']);
    expect(complete('codex --base-url http://127.0.0.1:4010/v1 documents g')).toEqual(['get']);
    expect(complete('codex documents create --me')).toEqual(['--metadata']);
  });

  it('flag choices, files where a file goes, the shells of completion', () => {
    expect(complete('codex documents list --output ')).toEqual(['json', 'jsonl', 'table']);
    expect(complete('codex documents get -o js')).toEqual(['json', 'jsonl']);
    const dir = tempDir();
    writeFileSync(join(dir, 'rows.jsonl'), '');
    expect(complete('codex documents import r', dir)).toEqual(['rows.jsonl']);
    expect(complete('codex documents import rows.jsonl --failed r', dir)).toEqual(['rows.jsonl']);
    expect(complete('codex completion ')).toEqual(['bash', 'zsh']);
    // A value of the user's: nothing to offer.
    expect(complete('codex documents list --limit ')).toEqual([]);
  });
});

describe('zsh completion', () => {
  it('names every command and flag, with summaries', () => {
    expect(zshScript.startsWith('#compdef codex\n')).toBe(true);
    expect(zshScript).toContain("'list:List documents'");
    expect(zshScript).toContain(
      "'(-o --output)'{-o,--output}'[output format (default\\: json)]:format:(json jsonl table)'",
    );
    expect(zshScript).toContain("'1:file:_files'");
    expect(zshScript).toContain("*--metadata'[Up to 16 string values.]:key=value:'");
    for (const spec of commands.filter((s) => s.auth))
      expect(zshScript).toContain(`'codex ${spec.resource} ${spec.command}'`);
  });

  it.skipIf(!has('zsh'))('is valid zsh, and registers _codex for codex', () => {
    const dir = tempDir();
    const file = join(dir, '_codex');
    writeFileSync(file, zshScript);
    expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
    const loaded = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -Uz compinit; compinit -u -d ${dir}/zcompdump; source ${file}; print -r -- $_comps[codex]`,
      ],
      { encoding: 'utf8' },
    );
    expect(loaded).toMatchObject({ status: 0, stdout: '_codex\n', stderr: '' });
  });

  /** What _codex hands zsh's completion functions for `words`, with _describe and _arguments stubbed to print it. */
  function zshOffers(words: string[]): string[] {
    const dir = tempDir();
    writeFileSync(join(dir, '_codex'), zshScript);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const script = `compdef() { :; }; source ${dir}/_codex
_describe() { print -rl -- "\${(@P)4}"; }
_arguments() { print -rl -- "$@"; }
words=(${quoted}); CURRENT=${words.length}; PREFIX=${quoted.split(' ').at(-1)}; _codex`;
    const run = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return run.stdout.split('\n').filter(Boolean);
  }

  it.skipIf(!has('zsh'))('offers subcommands with their summaries, then the command’s flags and arguments', () => {
    expect(zshOffers(['codex', 'documents', ''])).toEqual(
      expect.arrayContaining(['list:List documents', 'get:Get a document', 'update:Update a document']),
    );
    // After a flag's value, the flags of `documents list`; the global ones too.
    const list = zshOffers(['codex', 'documents', 'list', '--limit', '5', '--o']);
    expect(list).toEqual(
      expect.arrayContaining([
        '--limit[Page size.]:integer:',
        '--all[every page, following next_cursor (--limit\\: the page size)]',
      ]),
    );
    expect(list.some((l) => l.startsWith('--base-url['))).toBe(true);
    expect(zshOffers(['codex', 'documents', 'import', ''])).toContain('1:file:_files');
    expect(zshOffers(['codex', 'completion', ''])).toContain('1:shell:(bash zsh)');
  });
});

describe('codex completion (the bin)', () => {
  it('prints the scripts', async () => {
    const bash = await codex(['completion', 'bash'], environment(undefined));
    expect(bash).toMatchObject({ code: 0, stdout: bashScript, stderr: '' });
    const zsh = await codex(['completion', 'zsh'], environment(undefined));
    expect(zsh).toMatchObject({ code: 0, stdout: zshScript, stderr: '' });
  });
});
