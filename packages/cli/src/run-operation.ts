import type { Command } from 'commander';
import { buildCall } from './build-call';
import { checked, clientMethod, createClient } from './client';
import type { CommandSpec } from './command-table';
import { type Format, formatOf, writeJson, writeLines, writeTable, writeValue } from './output';
import { readStdin } from './read-input';

// A generated command at run time: the command line checked into a client call (build-call.ts),
// the call made through @codex/node, its result printed. Nothing here is particular to an
// operation: what differs (a list's pages, a batch's outcomes) comes from the spec's row.

type Page = { data: unknown[]; nextCursor: string | null };
type PagePromise = PromiseLike<Page> & { byPage(): AsyncIterable<Page> };
type Outcome = { index: number; status: number; error?: { code: string; message: string; request_id?: string } };

/** Flag values by flag name, as build-call.ts takes them. */
function flagValues(command: Command): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of command.options) {
    if (option.long) values[option.long.slice(2)] = command.getOptionValue(option.attributeName());
  }
  return values;
}

export async function runOperation(spec: CommandSpec, command: Command): Promise<void> {
  const flags = flagValues(command);
  const data = flags.data === '-' ? await checked(command, () => readStdin()) : (flags.data as string | undefined);
  const idempotencyKey = command.opts<{ idempotencyKey?: string }>().idempotencyKey;
  const call = checked(command, () => buildCall(spec, { args: command.args, flags, data, idempotencyKey }));
  const format = formatOf(flags.output as string | undefined, spec.pagination !== null);
  const client = await createClient(command);
  const method = clientMethod(client, spec.resource, spec.command);
  const result = method(...call.args, call.options);
  if (spec.pagination) {
    await printPages(result as PagePromise, spec, flags.all === true, format);
    return;
  }
  const value = await result;
  if (spec.batch) printOutcomes(value as Outcome[], spec.batch.resultsField, format);
  else if (value !== undefined) writeValue(value, format);
}

/** A list: the first page, or with --all every page, streamed as JSON Lines when asked for. */
async function printPages(pages: PagePromise, spec: CommandSpec, all: boolean, format: Format): Promise<void> {
  const { itemsField, nextCursorField, cursorParam } = spec.pagination as NonNullable<CommandSpec['pagination']>;
  const items: unknown[] = [];
  let next: string | null = null;
  for await (const page of all ? pages.byPage() : [await pages]) {
    if (format === 'jsonl') writeLines(page.data);
    else items.push(...page.data);
    next = page.nextCursor;
  }
  if (format === 'json') writeJson({ [itemsField]: items, [nextCursorField]: next });
  if (format === 'table') writeTable(items);
  // A person reading a table or lines in a terminal is told how to go on; scripts use --all or --output json.
  const cursor = spec.queryParams.find((p) => p.name === cursorParam);
  if (next !== null && cursor && process.stderr.isTTY && format !== 'json')
    process.stderr.write(`More: --${cursor.flag} ${next} (or --all)\n`);
}

/** A batch's outcomes, one per operation; exit 1 when any failed, with one line saying so. */
function printOutcomes(outcomes: Outcome[], resultsField: string, format: Format): void {
  if (format === 'json') writeJson({ [resultsField]: outcomes });
  else if (format === 'jsonl') writeLines(outcomes);
  else writeTable(outcomes);
  const failed = outcomes.filter((o) => o.error);
  const first = failed[0];
  if (first?.error) {
    const { code, message, request_id: requestId } = first.error;
    process.stderr.write(
      `error: ${failed.length} of ${outcomes.length} operations failed; the first, operation ${first.index}: ${first.status} ${code}: ${message}${requestId ? ` (request ${requestId})` : ''}\n`,
    );
    process.exitCode = 1;
  }
}
