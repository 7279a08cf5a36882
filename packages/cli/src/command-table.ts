/**
 * The shape of `commands.gen.ts`, which `pnpm generate` writes from openapi/codex.yaml (the
 * generator's `codex/operation-table` plugin, `cli` output). The CLI builds one command per entry
 * and names no operation itself: a new operation in the spec is a new command after regenerating.
 */

/** A scalar's type, as the spec's schema gives it. */
export type ScalarType = 'string' | 'integer' | 'number' | 'boolean';

/** A path parameter (a positional argument), a query parameter or a body field (a flag). */
export interface ParamSpec {
  /** The name on the wire: `limit`, `id`, `title`. */
  readonly name: string;
  /** The flag or argument name, kebab-case: `limit`, `next-cursor`. */
  readonly flag: string;
  readonly type: ScalarType;
  readonly required: boolean;
  /** The schema's description, one line. */
  readonly description?: string;
  readonly enum?: readonly (string | number)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** `x-codex-max-bytes`: a string's limit in bytes of UTF-8 (maxLength counts characters). */
  readonly maxBytes?: number;
  readonly pattern?: string;
  readonly default?: string | number | boolean;
}

/** A body field: a scalar, or `map` (an object of string values: repeatable `--flag key=value`). */
export interface BodyFieldSpec extends Omit<ParamSpec, 'type'> {
  readonly type: ScalarType | 'map';
  /** For `map`: the most entries. */
  readonly maxProperties?: number;
}

export interface BodySpec {
  readonly required: boolean;
  /** The body's top-level fields as flags (empty when `dataOnly`). */
  readonly fields: readonly BodyFieldSpec[];
  /** The schema's minProperties (an update needs at least one field). */
  readonly minProperties?: number;
  /** The body is not an object of scalar and map fields (a batch's operations): `--data` only. */
  readonly dataOnly: boolean;
  /** False when the schema says `additionalProperties: false`: `--data` may hold only `fields`. */
  readonly additionalProperties: boolean;
}

export interface CommandSpec {
  readonly operationId: string;
  /** `x-codex-resource`: the command group, `codex documents …`. */
  readonly resource: string;
  /** `x-codex-method`: the command, `codex documents list`, and the client method it calls. */
  readonly command: string;
  /** The operation's summary, for `--help`. */
  readonly summary: string;
  readonly description?: string;
  readonly httpMethod: string;
  readonly path: string;
  /** Positional arguments, in the path's order. */
  readonly pathParams: readonly ParamSpec[];
  readonly queryParams: readonly ParamSpec[];
  readonly body: BodySpec | null;
  /** The operation needs a token (false for the token exchange itself, which `codex auth token` covers). */
  readonly auth: boolean;
  readonly idempotency: boolean;
  readonly pagination: {
    readonly cursorParam: string;
    readonly limitParam: string;
    readonly itemsField: string;
    readonly nextCursorField: string;
  } | null;
  readonly batch: {
    readonly operationsField: string;
    readonly resultsField: string;
    readonly maxOperations: number;
  } | null;
  /** The operation can go as one item `{op, …}` of the batch operation `via` (`x-codex-batchable`). */
  readonly batchable: {
    readonly via: string;
    readonly op: string;
    readonly idParam: string | null;
    readonly bodyField: string | null;
  } | null;
}

export type CommandTable = readonly CommandSpec[];
