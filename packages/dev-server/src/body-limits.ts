import { schemaOf } from './schemas';
import { operations } from './spec';

// How large a request body each operation accepts (issue 18, item 18). A body is refused with 413
// as soon as it passes its operation's limit (body.ts), so the limit is also the most of it the
// server ever holds: it is the largest valid request of the operation, no more.

type OperationId = keyof typeof operations;
type BodyOperationId = { [K in OperationId]: (typeof operations)[K]['hasBody'] extends true ? K : never }[OperationId];

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The spec's limit on any body (openapi/codex.yaml: "A body is at most 128 MiB"): the default of
 * the `maxBodyBytes` option, and the batch's limit.
 */
export const SPEC_MAX_BODY_BYTES = 128 * MiB;

// JSON may spend 6 bytes on one byte of a string: JSON.stringify writes control characters as
// `\u0001`, and an encoder may write any character as \uXXXX (Python's json.dumps does so for
// every non-ASCII character by default: `é`, 2 bytes of UTF-8, is 6 bytes of JSON; `😀`, 4 bytes,
// is 12: `\ud83d\ude00`). Raw UTF-8, however many bytes a character takes, costs nothing extra.
const JSON_BYTES_PER_BYTE = 6;
const JSON_BYTES_PER_CHARACTER = 12;

/** Room for one metadata entry, key and value as sent: the spec bounds the entries, not their length. */
export const METADATA_ENTRY_BYTES = 64 * KiB;
/** Field names, quotes, commas, and the whitespace of a pretty-printer. */
const SYNTAX_BYTES = 4 * KiB;

/** A limit the spec states; a spec without it would otherwise make a limit of NaN, that is none. */
function limit(schema: 'Content' | 'Title' | 'Metadata', keyword: string): number {
  const value = schemaOf(schema)[keyword];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`openapi/codex.yaml: ${schema} needs ${keyword}, a positive integer, to size request bodies`);
  }
  return value;
}

/**
 * The largest valid DocumentCreate or DocumentUpdate, however it is escaped: content of 1 MiB of
 * UTF-8 (the spec counts content in bytes, `x-codex-max-bytes`, so multi-byte characters use up
 * the limit rather than exceed it) at 6 bytes of JSON per byte; a title of 200 characters (the
 * spec counts titles in characters) at 12 bytes each; 16 metadata entries of 64 KiB. 7,346,528
 * bytes: enough for any valid document, whatever its characters and their escaping, whose
 * metadata entries fit their room.
 */
export const DOCUMENT_BODY_BYTES =
  limit('Content', 'x-codex-max-bytes') * JSON_BYTES_PER_BYTE +
  limit('Title', 'maxLength') * JSON_BYTES_PER_CHARACTER +
  limit('Metadata', 'maxProperties') * METADATA_ENTRY_BYTES +
  SYNTAX_BYTES;

/**
 * Each operation's own limit; `maxBodyBytes` may lower it (`bodyLimit`).
 * - issueToken: 64 KiB (openapi/codex.yaml). A token request is a few hundred bytes, and without
 *   credentials nobody gets to send more.
 * - createDocument, updateDocument: one document, `DOCUMENT_BODY_BYTES` (~7 MiB), so that a
 *   document body is never held whole at 128 MiB as it was (983 MB RSS for three of them).
 * - batchDocuments: 128 MiB, the spec's limit: 100 documents of 1 MiB each plus 28 MiB (~280 KiB
 *   an operation) for fields and escapes. The worst case escaped as above would be 100 ×
 *   `DOCUMENT_BODY_BYTES`, ~700 MiB: over the spec's limit, and over V8's longest string (2^29 - 24
 *   characters), so such a body could not be decoded for JSON.parse, nor its response (which echoes
 *   every document, escaped alike) serialised, by this server or a JavaScript SDK.
 */
const OWN_LIMITS: { readonly [K in BodyOperationId]?: number } = {
  issueToken: 64 * KiB,
  createDocument: DOCUMENT_BODY_BYTES,
  updateDocument: DOCUMENT_BODY_BYTES,
  batchDocuments: SPEC_MAX_BODY_BYTES,
};

/**
 * The limit of an operation with a body that has none above: one document's. An operation added to
 * the spec gets it until it is given its own (with its handler, operations/index.ts).
 */
export const DEFAULT_BODY_BYTES = DOCUMENT_BODY_BYTES;

/** The most bytes of body an operation accepts: its own limit, lowered by `maxBodyBytes`. 0 if it takes no body. */
export function bodyLimit(operationId: OperationId, maxBodyBytes: number): number {
  if (!operations[operationId]?.hasBody) return 0;
  const own = (OWN_LIMITS as Partial<Record<OperationId, number>>)[operationId] ?? DEFAULT_BODY_BYTES;
  return Math.min(own, maxBodyBytes);
}
