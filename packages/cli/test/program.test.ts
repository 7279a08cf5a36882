import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../src/command-table';
import { commands } from '../src/commands.gen';
import { buildProgram } from '../src/program';
import { createWidget, listWidgets, table } from './fixture-table';

// The command tree from a command table: names no operation of its own.

const find = (program: Command, ...path: string[]) =>
  path.reduce<Command | undefined>((command, name) => command?.commands.find((c) => c.name() === name), program);
const flags = (command: Command | undefined) => command?.options.map((o) => o.flags) ?? [];

describe('buildProgram', () => {
  it('a group per resource, a command per operation that needs a token, in name order', () => {
    const program = buildProgram(table);
    expect(program.commands.map((c) => c.name())).toEqual(['auth', 'completion', 'gadgets', 'widgets']);
    expect(find(program, 'widgets')?.commands.map((c) => c.name())).toEqual([
      'batch',
      'create',
      'import',
      'list',
      'patch-part',
    ]);
    // The token exchange (auth: false) has no command; `auth token` is the CLI's own.
    expect(find(program, 'auth')?.commands.map((c) => c.name())).toEqual(['token']);
    expect(find(program, 'widgets')?.description()).toBe('batch, create, import, list, patch-part');
  });

  it('flags from the spec: query parameters, body fields, --data, --all, --idempotency-key, --output', () => {
    const program = buildProgram(table);
    expect(flags(find(program, 'widgets', 'list'))).toEqual([
      '--page-size <integer>',
      '--after <string>',
      '--color <string>',
      '--min-weight <number>',
      '--active <boolean>',
      '--all',
      '-o, --output <format>',
    ]);
    expect(flags(find(program, 'widgets', 'create'))).toEqual([
      '--name <string>',
      '--size <integer>',
      '--labels <key=value>',
      '--data <json>',
      '--idempotency-key <key>',
      '-o, --output <format>',
    ]);
    expect(flags(find(program, 'widgets', 'batch'))).toEqual([
      '--data <json>',
      '--idempotency-key <key>',
      '-o, --output <format>',
    ]);
    expect(find(program, 'widgets', 'patch-part')?.registeredArguments.map((a) => a.name())).toEqual([
      'widget-id',
      'part',
    ]);
    expect(find(program, 'widgets', 'import')?.registeredArguments.map((a) => a.name())).toEqual(['file']);
  });

  it("the help: the spec's summary, description, limits, choices and route", () => {
    const program = buildProgram(table);
    const widgets = find(program, 'widgets') as Command;
    const help = widgets.helpInformation();
    expect(help).toMatch(/list \[options\]\s+List widgets/);
    expect(help).toMatch(/patch-part \[options\] <widget-id> <part>\s+Change a part of a widget/);
    const create = (find(program, 'widgets', 'create') as Command).helpInformation();
    expect(create).toContain('Makes a widget.');
    expect(create).toMatch(
      /--name <string>\s+\(required unless in --data, 1 to 5 characters, at\s+most 8 bytes of UTF-8\)/,
    );
    expect(create).toMatch(/--size <integer>\s+\(required unless in --data\) \(choices: "1", "2", "3"\)/);
    expect(create).toMatch(/--labels <key=value>\s+\(repeatable, at most 2\)/);
    const list = (find(program, 'widgets', 'list') as Command).helpInformation();
    expect(list).toMatch(/--page-size <integer>\s+\(1 to 50, default: 10\)/);
    expect(list).toMatch(/--all\s+every page, following next \(--page-size: the page size\)/);
  });

  it('import only for a batchable create whose batch operation is in the table', () => {
    const withoutBatch = buildProgram([listWidgets, createWidget]);
    expect(find(withoutBatch, 'widgets')?.commands.map((c) => c.name())).toEqual(['create', 'list']);
  });

  it('refuses a table whose command meets one of the CLI’s own', () => {
    const clash = (spec: Partial<CommandSpec>) => () => buildProgram([...table, { ...listWidgets, ...spec }]);
    expect(clash({ command: 'import' })).toThrow('the command table and the CLI both define `codex widgets import`');
    expect(clash({ resource: 'auth', command: 'token' })).toThrow('`codex auth token`');
    expect(clash({ resource: 'completion' })).toThrow('`codex completion list`');
    // A flag of the spec that is one of the CLI's (the generator refuses these too): commander refuses it.
    const dataFlag = { name: 'data', flag: 'data', type: 'string', required: false } as const;
    expect(() =>
      buildProgram([
        { ...createWidget, body: { required: true, dataOnly: false, additionalProperties: false, fields: [dataFlag] } },
      ]),
    ).toThrow(/--data/);
  });

  it('the generated table: a command for every operation that needs a token', () => {
    const program = buildProgram(commands);
    for (const spec of commands) {
      const command = find(program, spec.resource, spec.command);
      if (spec.auth) expect(command?.summary(), spec.operationId).toBe(spec.summary);
      else expect(command?.summary(), spec.operationId).not.toBe(spec.summary);
    }
  });
});
