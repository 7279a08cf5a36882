import type { Command } from 'commander';
import { isRepeatable } from './flags';

// `codex completion bash|zsh`: tab-completion scripts written from the command tree itself, so
// they complete exactly the commands and flags the spec gave, with no `codex` process per TAB.
// Both walk the words typed so far to the command they name (skipping flag values), then offer
// that command's subcommands, flags, flag choices (`--output`) or files (`import <file>`).

type Flag = {
  names: string[];
  description: string;
  takesValue: boolean;
  placeholder: string;
  choices: readonly string[] | undefined;
  file: boolean;
  repeatable: boolean;
};
type Node = {
  /** The command's words: `codex documents list`. */
  path: string;
  subcommands: Array<{ name: string; summary: string }>;
  flags: Flag[];
  args: Array<{ name: string; choices: readonly string[] | undefined; file: boolean }>;
};

const HELP: Flag = {
  names: ['-h', '--help'],
  description: 'display help for command',
  takesValue: false,
  placeholder: '',
  choices: undefined,
  file: false,
  repeatable: false,
};

function flagsOf(command: Command): Flag[] {
  return command.options.map((option) => ({
    names: [option.short, option.long].filter((n): n is string => n !== undefined),
    description: option.description,
    takesValue: option.required || option.optional,
    placeholder: /<([^>.]+)/.exec(option.flags)?.[1] ?? 'value',
    choices: option.argChoices,
    file: /<file>/.test(option.flags),
    repeatable: isRepeatable(option),
  }));
}

/** Every command of the tree, the program first; commander's implicit `help` left out. */
function nodesOf(program: Command): Node[] {
  const globals = flagsOf(program).filter((f) => !f.names.includes('--version'));
  const nodes: Node[] = [];
  const visit = (command: Command, path: string) => {
    const children = command.commands.filter((c) => c.name() !== 'help');
    nodes.push({
      path,
      subcommands: children.map((c) => ({
        name: c.name(),
        summary: c.summary() || c.description().split('\n')[0] || '',
      })),
      flags: [...flagsOf(command), ...(command === program ? [] : globals), HELP],
      args: command.registeredArguments.map((a) => ({
        name: a.name(),
        choices: a.argChoices,
        file: a.name() === 'file',
      })),
    });
    for (const child of children) visit(child, `${path} ${child.name()}`);
  };
  visit(program, program.name());
  return nodes;
}

/** A word in single quotes, for either shell. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
const valueCases = (nodes: Node[]) =>
  nodes.flatMap((node) =>
    node.flags
      .filter((f) => f.takesValue)
      .flatMap((f) => f.names.map((name) => ({ node, flag: f, pattern: quote(`${node.path} ${name}`) }))),
  );

function bash(nodes: Node[]): string {
  const [root] = nodes as [Node];
  const descend = nodes.flatMap((node) =>
    node.subcommands.map((s) => `      ${quote(`${node.path} ${s.name}`)}) node=${quote(`${node.path} ${s.name}`)} ;;`),
  );
  const values = valueCases(nodes);
  const skip = values.map((v) => v.pattern).join('|');
  const valueActions = values.map(({ flag, pattern }) => {
    if (flag.choices)
      return `    ${pattern}) COMPREPLY=($(compgen -W ${quote(flag.choices.join(' '))} -- "$cur")); return ;;`;
    if (flag.file)
      return `    ${pattern}) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;`;
    return `    ${pattern}) COMPREPLY=(); return ;;`;
  });
  const words = nodes.map((node) => {
    const list = [
      ...node.subcommands.map((s) => s.name),
      ...node.flags.flatMap((f) => f.names.filter((n) => n.startsWith('--'))),
    ];
    const arg = node.args[0];
    const operand = arg?.file
      ? ' [[ $cur != -* ]] && { compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return; };'
      : arg?.choices
        ? ` [[ $cur != -* ]] && list=${quote(arg.choices.join(' '))};`
        : '';
    return `    ${quote(node.path)}) list=${quote(list.join(' '))};${operand} ;;`;
  });
  return `# bash completion for codex: source <(codex completion bash), e.g. in ~/.bashrc
_codex() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local node=${quote(root.path)} list='' i
  # The command the words so far name, skipping the values of flags that take one.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "$node \${COMP_WORDS[i]}" in
${descend.join('\n')}
      ${skip}) ((i++)) ;;
    esac
  done
  case "$node $prev" in
${valueActions.join('\n')}
  esac
  case "$node" in
${words.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$list" -- "$cur"))
}
complete -F _codex codex
`;
}

/** Text inside an _arguments `[description]` or a _describe item: one short line, its specials escaped. */
const zshText = (text: string) =>
  (text.split(/(?<=\.)\s/)[0] ?? '')
    .slice(0, 100)
    .replace(/[\\[\]:]/g, (c) => `\\${c}`)
    .replace(/`/g, "'");

function zshFlag(flag: Flag): string {
  const names =
    flag.names.length > 1 ? `'(${flag.names.join(' ')})'{${flag.names.join(',')}}` : (flag.names[0] as string);
  const star = flag.repeatable ? '*' : '';
  const value = flag.takesValue
    ? `:${flag.placeholder}:${flag.choices ? `(${flag.choices.join(' ')})` : flag.file ? '_files' : ''}`
    : '';
  return `${star}${names}${quote(`[${zshText(flag.description)}]${value}`)}`;
}

function zsh(nodes: Node[]): string {
  const [root] = nodes as [Node];
  const descend = nodes.flatMap((node) =>
    node.subcommands.map(
      (s) => `      (${quote(`${node.path} ${s.name}`)}) node=${quote(`${node.path} ${s.name}`)}; at=$i ;;`,
    ),
  );
  const skip = valueCases(nodes)
    .map((v) => v.pattern)
    .join('|');
  const bodies = nodes.map((node) => {
    const flags = node.flags.map(zshFlag).join(' \\\n        ');
    if (node.subcommands.length) {
      const items = node.subcommands.map((s) => quote(`${s.name}:${zshText(s.summary)}`)).join(' ');
      return `    (${quote(node.path)})
      local -a subcommands=(${items})
      if [[ $PREFIX == -* ]]; then
        _arguments -s ${flags}
      else
        _describe -t commands 'command' subcommands
      fi ;;`;
    }
    const args = node.args
      .map((a, i) => quote(`${i + 1}:${a.name}:${a.choices ? `(${a.choices.join(' ')})` : a.file ? '_files' : ''}`))
      .join(' ');
    return `    (${quote(node.path)})
      _arguments -s -S ${flags}${args ? ` \\\n        ${args}` : ''} ;;`;
  });
  return `#compdef codex
# zsh completion for codex: source <(codex completion zsh) in ~/.zshrc (after compinit), or save it as _codex in a directory of $fpath
_codex() {
  local node=${quote(root.path)} at=1 i
  # The command the words so far name, skipping the values of flags that take one.
  for ((i = 2; i < CURRENT; i++)); do
    case "$node \${words[i]}" in
${descend.join('\n')}
      ${skip}) ((i++)) ;;
    esac
  done
  # From here on, the command's own words: its name first.
  words=("\${(@)words[at,-1]}")
  ((CURRENT -= at - 1))
  case "$node" in
${bodies.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _codex "$@"
else
  compdef _codex codex
fi
`;
}

export function completionScript(shell: 'bash' | 'zsh', program: Command): string {
  return shell === 'bash' ? bash(nodesOf(program)) : zsh(nodesOf(program));
}
