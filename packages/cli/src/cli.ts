#!/usr/bin/env node
// `codex`: the Codex API from a shell. Builds the command tree from the spec's command table and
// runs what the command line asks; exit statuses are report-error.ts's.
import { commands } from './commands.gen';
import { buildProgram } from './program';
import { reportError } from './report-error';

// A reader that went away (`codex documents list --all | head -1`) ends the run quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// `codex help documents list` is `codex documents list --help`: commander's help command takes
// one name, and would show the group's help.
const [node = 'node', bin = 'codex', first, ...rest] = process.argv;
const argv = first === 'help' && rest.length ? [node, bin, ...rest, '--help'] : process.argv;

const program = buildProgram(commands);
try {
  await program.parseAsync(argv);
} catch (error) {
  process.exitCode = reportError(error, program.opts().verbose === true);
}
