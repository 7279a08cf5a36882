import { Argument, Option } from 'commander';
import type { BodyFieldSpec, ParamSpec } from './command-table';

// How a parameter or body field of the spec reads in `--help`: its flag or argument, the spec's
// description and its limits. Values are checked when the command runs (check-value.ts), not by
// commander, so that every refusal says the same thing; commander only shows `choices`.

type ValueSpec = ParamSpec | BodyFieldSpec;

/** What the help says about a value beyond its description: `1 to 100, default: 20`. */
function limits(spec: ValueSpec): string[] {
  const said: string[] = [];
  const { minimum: min, maximum: max, minLength, maxLength } = spec;
  if (min !== undefined && max !== undefined) said.push(`${min} to ${max}`);
  else if (min !== undefined) said.push(`at least ${min}`);
  else if (max !== undefined) said.push(`at most ${max}`);
  if (minLength !== undefined && maxLength !== undefined) said.push(`${minLength} to ${maxLength} characters`);
  else if (maxLength !== undefined) said.push(`at most ${maxLength} characters`);
  else if (minLength !== undefined && minLength > 1) said.push(`at least ${minLength} characters`);
  if (spec.maxBytes !== undefined) said.push(`at most ${spec.maxBytes} bytes of UTF-8`);
  if (spec.pattern !== undefined) said.push(`matching ${spec.pattern}`);
  if (spec.type === 'map') {
    const { maxProperties } = spec as BodyFieldSpec;
    said.push(maxProperties === undefined ? 'repeatable' : `repeatable, at most ${maxProperties}`);
  }
  if (spec.default !== undefined) said.push(`default: ${JSON.stringify(spec.default)}`);
  return said;
}

function describe(spec: ValueSpec, required: string | undefined): string {
  const said = limits(spec);
  if (required) said.unshift(required);
  const text = spec.description ?? '';
  return said.length ? `${text}${text ? ' ' : ''}(${said.join(', ')})` : text;
}

/** A path parameter as a positional argument: `<id>`. */
export function argumentOf(spec: ParamSpec): Argument {
  const argument = new Argument(`<${spec.flag}>`, describe(spec, undefined));
  if (spec.enum) argument.argChoices = spec.enum.map(String);
  return argument;
}

/** A map flag's entries, one `key=value` per occurrence (`--metadata a=1 --metadata b=2`). */
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Flags given more than once for more values (commander knows only variadic ones): for completion. */
const repeatable = new WeakSet<Option>();
export const isRepeatable = (option: Option): boolean => option.variadic || repeatable.has(option);

/**
 * A query parameter or body field as a flag: `--limit <integer>`, `--metadata <key=value>`.
 * `required` is what the help says of a required one (a body field may also come from `--data`).
 * A map flag takes one entry per occurrence, not several after one flag: a variadic flag would
 * swallow the positional after it (`update --metadata a=1 doc_1` lost its id).
 */
export function optionOf(spec: ValueSpec, required: string): Option {
  const value = spec.type === 'map' ? '<key=value>' : `<${spec.type}>`;
  const option = new Option(`--${spec.flag} ${value}`, describe(spec, spec.required ? required : undefined));
  if (spec.type === 'map') repeatable.add(option.argParser(collect));
  // Shown by the help, not checked by commander (checkValue is).
  if (spec.enum) option.argChoices = spec.enum.map(String);
  return option;
}
