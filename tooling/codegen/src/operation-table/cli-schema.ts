import type { BodyFieldSpec, ParamSpec, ScalarType } from '../../../../packages/cli/src/command-table.ts';
import { isObject } from './collect.ts';

// How a JSON Schema becomes a CLI argument or flag (packages/cli/src/command-table.ts): a scalar,
// or for a body field also a `map` (an object of string values, like Metadata).

type Json = Record<string, unknown>;

const SCALARS: readonly string[] = ['string', 'integer', 'number', 'boolean'] satisfies ScalarType[];
const COMBINERS = ['oneOf', 'anyOf', 'allOf', 'not'];

/** One `#/…` JSON pointer step into the raw spec; undefined when it does not resolve. */
function pointer(spec: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), spec);
}

/**
 * The schema with its `$ref` chain followed and flattened: a keyword next to a `$ref` (OpenAPI
 * 3.1) wins over the target's, so a property's own description beats its type's.
 * Undefined when `schema` is not an object or a reference does not resolve.
 */
export function resolveSchema(spec: Json, schema: unknown): Json | undefined {
  const layers: Json[] = [];
  let current = schema;
  for (let hops = 0; ; hops++) {
    if (!isObject(current) || hops > 32) return undefined;
    const { $ref, ...keywords } = current;
    layers.unshift(keywords);
    if (typeof $ref !== 'string') break;
    current = pointer(spec, $ref);
  }
  return Object.assign({}, ...layers);
}

/** The first paragraph of a description, on one line; undefined when there is none. */
export function oneLine(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const line = (text.trim().split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
  return line || undefined;
}

/** `next_cursor` -> `next-cursor`, `pageSize` -> `page-size`, `Idempotency-Key` -> `idempotency-key`. */
export const kebab = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();

/** The values a schema allows (`const` or `enum`, `null` aside), or undefined when it does not list them. */
function valuesOf(schema: Json): unknown[] | undefined {
  if (schema.const !== undefined) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum.filter((value) => value !== null) : undefined;
}

/**
 * The scalar type of a schema, or null when it is not one scalar: `type` (`null` aside, as the
 * CLI never sends null), else the type of every `const`/`enum` value. A combiner is not a scalar.
 */
export function scalarTypeOf(schema: Json): ScalarType | null {
  if (COMBINERS.some((key) => key in schema)) return null;
  const declared = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const types = declared.filter((type) => type !== 'null');
  if (types.length > 1) return null;
  if (types.length === 1) return SCALARS.includes(types[0]) ? (types[0] as ScalarType) : null;
  const values = valuesOf(schema) ?? [];
  if (!values.length) return null;
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  if (values.every((v) => typeof v === 'number')) return values.every(Number.isInteger) ? 'integer' : 'number';
  return null;
}

/** An object whose values are all strings (`additionalProperties: {type: string}`, no named properties). */
function isStringMap(spec: Json, schema: Json): boolean {
  if (COMBINERS.some((key) => key in schema) || schema.type !== 'object') return false;
  if (isObject(schema.properties) && Object.keys(schema.properties).length) return false;
  const values = resolveSchema(spec, schema.additionalProperties);
  return values !== undefined && scalarTypeOf(values) === 'string';
}

const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The schema's limits the CLI checks before sending: enum, bounds, lengths (and UTF-8 bytes), pattern, default. */
function limitsOf(schema: Json) {
  const values = valuesOf(schema)?.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const fallback = schema.default;
  return {
    ...optional('enum', values?.length ? values : undefined),
    ...optional('minimum', number(schema.minimum)),
    ...optional('maximum', number(schema.maximum)),
    ...optional('minLength', number(schema.minLength)),
    ...optional('maxLength', number(schema.maxLength)),
    ...optional('maxBytes', number(schema['x-codex-max-bytes'])),
    ...optional('pattern', typeof schema.pattern === 'string' ? schema.pattern : undefined),
    ...optional(
      'default',
      typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean'
        ? fallback
        : undefined,
    ),
  };
}

/**
 * A parameter as an argument or flag, or null when its schema is not a scalar. `description` is
 * the parameter's own, else its schema's.
 */
export function paramSpec(
  spec: Json,
  param: { name: string; required: boolean; description?: unknown; schema: unknown },
): ParamSpec | null {
  const schema = resolveSchema(spec, param.schema);
  const type = schema && scalarTypeOf(schema);
  if (!schema || !type) return null;
  return {
    name: param.name,
    flag: kebab(param.name),
    type,
    required: param.required,
    ...optional('description', oneLine(param.description) ?? oneLine(schema.description)),
    ...limitsOf(schema),
  };
}

/**
 * A request body's fields as flags, or null when the body is not an object of scalar and string
 * map fields (the CLI then takes it whole, with `--data`).
 */
export function bodyFields(spec: Json, schema: Json): BodyFieldSpec[] | null {
  const isObjectSchema = schema.type === 'object' || (schema.type === undefined && isObject(schema.properties));
  if (!isObjectSchema || COMBINERS.some((key) => key in schema) || !isObject(schema.properties)) return null;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const fields: BodyFieldSpec[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const resolved = resolveSchema(spec, property);
    if (!resolved) return null;
    const scalar = paramSpec(spec, { name, required: required.includes(name), schema: resolved });
    if (scalar) {
      fields.push(scalar);
    } else if (isStringMap(spec, resolved)) {
      fields.push({
        name,
        flag: kebab(name),
        type: 'map',
        required: required.includes(name),
        ...optional('description', oneLine(resolved.description)),
        ...optional('maxProperties', number(resolved.maxProperties)),
      });
    } else {
      return null;
    }
  }
  return fields.length ? fields : null;
}
