import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import * as generated from './generated/schemas.gen';

// Requests are validated against the JSON Schemas generated from openapi/codex.yaml (hey-api's
// @hey-api/schemas plugin), with Ajv: one source of truth, every keyword of the spec honoured
// (additionalProperties, maxProperties, minProperties, patterns, discriminators). They are the
// schemas as the spec writes them: `x-codex-wire-only` branches (accepted, never sent by an SDK)
// are dropped from the SDK's types only, not from these.

type SchemaName = keyof typeof generated extends `${infer Name}Schema` ? Name : never;

/** A request that breaks the spec: what the API answers. */
export type Violation = {
  status: 400 | 413;
  code: 'invalid_request' | 'payload_too_large';
  message: string;
  param?: string;
};

const SPEC_ID = 'https://codex.dev/openapi/codex.yaml';
const MAX_BYTES = 'x-codex-max-bytes';

const components: Record<string, unknown> = {};
for (const [exportName, schema] of Object.entries(generated)) {
  components[exportName.replace(/Schema$/, '')] = schema;
}

// Ajv's `discriminator` support rejects `mapping`, which the spec needs (op values are not schema
// names); oneOf over the `op` constants selects the same branch without it.
// verbose: errors carry their schema, so a byte limit's message can say the limit.
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);
const encoder = new TextEncoder();
ajv.addKeyword({
  keyword: MAX_BYTES,
  type: 'string',
  schemaType: 'number',
  // JSON Schema's maxLength counts characters; the contract limits content in bytes (413).
  validate: (max: number, data: string) => encoder.encode(data).byteLength <= max,
  errors: false,
});
ajv.addSchema({ $id: SPEC_ID, components: { schemas: components } });

const cache = new Map<string, ValidateFunction>();

/** The validator of a component schema (`Document`, `BatchOperation`, ...), or of a schema derived from one. */
export function validator(name: SchemaName | string, schema?: object): ValidateFunction {
  let validate = cache.get(name);
  if (!validate) {
    validate = ajv.compile(schema ?? { $ref: `${SPEC_ID}#/components/schemas/${name}` });
    cache.set(name, validate);
  }
  return validate;
}

/** A generated component schema, as plain data (to read limits from it). */
export function schemaOf(name: SchemaName): Record<string, unknown> {
  return components[name] as Record<string, unknown>;
}

/** `/operations/3/document/title` -> `operations[3].document.title` */
function toParam(pointer: string, error: ErrorObject, prefix: string): string {
  const parts = pointer.split('/').slice(1);
  const extra = error.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = extra.missingProperty ?? extra.additionalProperty;
  if (leaf) parts.push(leaf);
  const param = parts.reduce(
    (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
    '',
  );
  return prefix && param ? `${prefix}.${param}` : prefix || param;
}

/** Picks the error to report: a byte limit first (413), else the deepest error. */
function pick(errors: ErrorObject[]): ErrorObject {
  const tooLarge = errors.find((e) => e.keyword === MAX_BYTES);
  if (tooLarge) return tooLarge;
  return [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0] as ErrorObject;
}

/** Validates `value`; returns what to answer when it is invalid, else null. */
export function check(name: SchemaName, value: unknown, prefix = ''): Violation | null {
  return explain(validator(name), value, prefix);
}

export function explain(validate: ValidateFunction, value: unknown, prefix = ''): Violation | null {
  if (validate(value)) return null;
  const error = pick(validate.errors ?? []);
  const param = toParam(error.instancePath, error, prefix);
  if (error.keyword === MAX_BYTES) {
    return {
      status: 413,
      code: 'payload_too_large',
      message: `${param} must be at most ${(error.parentSchema as Record<string, unknown>)?.[MAX_BYTES]} bytes.`,
      param,
    };
  }
  const extra = error.params as { additionalProperty?: string; missingProperty?: string };
  const message = extra.additionalProperty
    ? `${param} is not a known field.`
    : extra.missingProperty
      ? `${param} is required.`
      : `${param || 'body'} ${error.message ?? 'is invalid'}.`;
  return param
    ? { status: 400, code: 'invalid_request', message, param }
    : { status: 400, code: 'invalid_request', message };
}
