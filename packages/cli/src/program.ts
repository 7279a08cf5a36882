import { Argument, Command, Option } from 'commander';
import type { CommandSpec, CommandTable } from './command-table';
import { argumentOf, optionOf } from './flags';

// The command tree, built from the spec's command table (commands.gen.ts): one group per
// resource, one command per operation that needs a token, plus `import` for each resource whose
// create is batchable, `auth token` and `completion`. It names no operation. Only commander and
// the table are loaded to build it: each action imports what it runs (@codex/node, the progress
// bar, the table printer), so that `codex --help` starts about as fast as `node` itself.

declare const __CODEX_CLI_VERSION__: string;

const FORMATS = ['json', 'jsonl', 'table'];
/** Sent as the Idempotency-Key header, which is not a flag of its own (the generator reserves the name). */
const IDEMPOTENCY_FLAG = 'idempotency-key';

const ENVIRONMENT = `
Credentials, as @codex/node finds them: CODEX_API_KEY=<client_id>:<client_secret>, else
CODEX_CLIENT_ID and CODEX_CLIENT_SECRET, else a profile of ~/.config/codex/credentials.json
(CODEX_CREDENTIALS_FILE, CODEX_PROFILE). CODEX_BASE_URL (or --base-url) points it at another API,
such as a local dev server. Tokens are cached in the user's cache directory (CODEX_CACHE_DIR), shared
by successive runs. CODEX_LOG=debug logs every request to stderr.

Exit status: 0 done; 1 the API or the connection failed (one line on stderr, with the error code and
request id); 2 a usage error (an unknown command or flag, a missing or invalid value): nothing sent.`;

function outputOption(list: boolean): Option {
  const fallback = list ? 'table in a terminal, else jsonl (one item per line)' : 'json';
  return new Option('-o, --output <format>', `output format (default: ${fallback})`).choices(FORMATS);
}

/** The runtime-side part of a command: loaded when the command runs, never for --help. */
type Action = (command: Command) => Promise<void>;
const lazy =
  (action: Action) =>
  async (...args: unknown[]) =>
    action(args.at(-1) as Command);

function addOperation(group: Command, spec: CommandSpec): void {
  const command = group
    .command(spec.command)
    .summary(spec.summary)
    .description(spec.description ? `${spec.summary}.\n\n${spec.description}` : spec.summary);
  for (const param of spec.pathParams) command.addArgument(argumentOf(param));
  for (const param of spec.queryParams) command.addOption(optionOf(param, 'required'));
  if (spec.pagination) {
    const { nextCursorField, limitParam } = spec.pagination;
    const limit = spec.queryParams.find((p) => p.name === limitParam);
    command.option(
      '--all',
      `every page, following ${nextCursorField}${limit ? ` (--${limit.flag}: the page size)` : ''}`,
    );
  }
  if (spec.body) {
    for (const field of spec.body.fields) command.addOption(optionOf(field, 'required unless in --data'));
    command.option(
      '--data <json>',
      spec.body.dataOnly
        ? `the request body as JSON, or - to read it from stdin${spec.batch ? ` (or the array of ${spec.batch.operationsField} alone)` : ''}`
        : 'the request body as JSON, or - to read it from stdin; the flags above override its fields',
    );
  }
  if (spec.idempotency) {
    command.option(
      `--${IDEMPOTENCY_FLAG} <key>`,
      'sent as Idempotency-Key: run the same command again with the same key and body, and the API replays its first answer instead of applying it twice (24 hours)',
    );
  }
  command.addOption(outputOption(spec.pagination !== null));
  command.addHelpText('after', `\n${spec.httpMethod} ${spec.path} (operationId ${spec.operationId})`);
  command.action(
    lazy(async (cmd) => {
      const { runOperation } = await import('./run-operation');
      await runOperation(spec, cmd);
    }),
  );
}

/** `codex <resource> import <file>`: each line is an operation `create` of the batch operation the spec names. */
function addImport(group: Command, create: CommandSpec, via: CommandSpec): void {
  group
    .command('import')
    .summary(`Import a JSON Lines file, one ${create.command} per line, in batches; resumable`)
    .description(
      `Import a JSON Lines file: each line is the body of \`${create.resource} ${create.command}\`, sent through \`${via.resource} ${via.command}\` in requests of up to ${via.batch?.maxOperations ?? 'the most'} at the key's quota. Streamed; resumable with the same --idempotency-key (one is made and printed when none is given). Progress on stderr; a summary at the end. Exit 0 when every line was imported, 1 when any failed, changed since an earlier run with the key, or was not confirmed; 130 on Ctrl-C.`,
    )
    .addArgument(new Argument('<file>', 'a JSON Lines file, one body per line; - reads stdin'))
    .option(
      `--${IDEMPOTENCY_FLAG} <key>`,
      'makes the import resumable: run it again with the same key and file after a crash, a kill or Ctrl-C, and every line is imported exactly once (within 24 hours); default: a new key, printed on stderr',
    )
    .option(
      '--failed <file>',
      'where to write the lines that failed, to fix and import again (default: <file>.failed.jsonl)',
    )
    .addOption(
      new Option(
        '-o, --output <format>',
        'the summary on stdout (default: json when stdout is not a terminal)',
      ).choices(FORMATS),
    )
    .addHelpText(
      'after',
      `\nExample: codex ${create.resource} import rows.jsonl --idempotency-key import-2026-12-02 --failed failed.jsonl`,
    )
    .action(
      lazy(async (cmd) => {
        const { runImport } = await import('./import');
        await runImport(create, via, cmd);
      }),
    );
}

function addAuthToken(group: Command): void {
  group
    .command('token')
    .summary('Print a current access token, for curl')
    .description(
      'Print a current access token, from the token cache the SDK uses (a new one only when the cached one is due).',
    )
    .addOption(
      new Option('-o, --output <format>', 'text: the token alone; json: with expires_in').choices(['text', 'json']),
    )
    .addHelpText('after', '\nExample: curl -H "Authorization: Bearer $(codex auth token)" "$CODEX_BASE_URL/documents"')
    .action(
      lazy(async (cmd) => {
        const { runAuthToken } = await import('./auth-token');
        await runAuthToken(cmd);
      }),
    );
}

function addCompletion(program: Command): void {
  program
    .command('completion')
    .summary('Print a tab-completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's ${fpath[1]}, for the user's shell.
      '\nbash: source <(codex completion bash)   # in ~/.bashrc\nzsh:  source <(codex completion zsh)    # in ~/.zshrc, or: codex completion zsh > "${fpath[1]}/_codex"',
    )
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionScript } = await import('./completion');
      process.stdout.write(completionScript(shell, program));
    });
}

/** The `codex` program for a command table. */
export function buildProgram(table: CommandTable): Command {
  const program = new Command('codex')
    .description('The Codex API from a shell.')
    .version(__CODEX_CLI_VERSION__, '-V, --version', 'print the version')
    .option('--base-url <url>', "the API's base URL (default: CODEX_BASE_URL, else https://api.codex.dev/v1)")
    .option('-v, --verbose', 'log requests and retries to stderr, and print errors in full')
    .addHelpText('after', ENVIRONMENT)
    // Errors come back to cli.ts as exceptions, for its exit codes (2 for usage errors).
    .exitOverride()
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });

  // What goes in each group, by name: a command per operation that needs a token (the token
  // exchange is the SDK's business, and `codex auth token` covers it), `import` for each resource
  // whose create is batchable, `auth token`.
  const groups = new Map<string, Map<string, (group: Command) => void>>();
  const put = (resource: string, name: string, add: (group: Command) => void) => {
    const commands = groups.get(resource) ?? new Map<string, (group: Command) => void>();
    // The spec's names and the CLI's own must not meet: a command would hide another.
    if (commands.has(name) || resource === 'completion')
      throw new Error(`codex: the command table and the CLI both define \`codex ${resource} ${name}\``);
    groups.set(resource, commands.set(name, add));
  };
  for (const spec of table) {
    if (!spec.auth) continue;
    put(spec.resource, spec.command, (group) => addOperation(group, spec));
    const via = table.find((s) => s.operationId === spec.batchable?.via);
    // An import line is a body alone: a batchable operation that takes a body and no id (a create,
    // whatever the spec names its op).
    const { idParam, bodyField } = spec.batchable ?? {};
    if (idParam === null && bodyField !== null && spec.pathParams.length === 0 && via?.batch)
      put(spec.resource, 'import', (group) => addImport(group, spec, via));
  }
  put('auth', 'token', addAuthToken);
  // Added in name order, for the help (commander's sortSubcommands would call localeCompare, whose
  // collator costs 10 ms of every --help); names are ASCII.
  const byName = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  const top = byName<Map<string, (group: Command) => void> | null>([...groups, ['completion', null]]);
  for (const [name, commands] of top) {
    if (!commands) {
      addCompletion(program);
      continue;
    }
    // Subcommands made with .command() inherit the settings above.
    const group = program.command(name).description([...commands.keys()].sort().join(', '));
    for (const [, add] of byName(commands)) add(group);
  }
  return program;
}
