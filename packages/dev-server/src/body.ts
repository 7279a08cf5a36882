import type { ErrorCode } from './spec';

/** A JSON request body, or why it is refused. */
export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: 400 | 413 | 415; code: ErrorCode; message: string };

const refuse = (status: 400 | 413 | 415, code: ErrorCode, message: string): BodyResult => ({
  ok: false,
  status,
  code,
  message,
});

/**
 * `application/json`, with or without parameters; a charset, when given, must be UTF-8 (RFC 8259
 * section 8.1). The contract: any other Content-Type, or none, is 415 unsupported_media_type.
 */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const [type = '', ...params] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  return params.every((param) => {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return (
      value
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase() === 'utf-8'
    );
  });
}

const tooLarge = (maxBytes: number) => refuse(413, 'payload_too_large', `The request body is over ${maxBytes} bytes.`);

/**
 * Reads a request's JSON body, holding at most `maxBytes` of it (contract, Errors):
 * - a Content-Type that is not JSON is refused before anything is read (415);
 * - a declared Content-Length over the limit is refused before anything is read, and a streamed
 *   body as soon as the limit is passed, without reading the rest (413);
 * - empty, not UTF-8, or not JSON: 400 invalid_request.
 * What is left unread is drained or dropped by @hono/node-server after the response.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (!isJsonContentType(request.headers.get('Content-Type'))) {
    return refuse(415, 'unsupported_media_type', 'Send the body as JSON, with Content-Type: application/json.');
  }
  const declared = Number(request.headers.get('Content-Length') ?? Number.NaN);
  if (declared > maxBytes) return tooLarge(maxBytes);

  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.releaseLock();
        return tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  if (total === 0) return refuse(400, 'invalid_request', 'The request body must be JSON.');
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(400, 'invalid_request', 'The request body is not valid UTF-8.');
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return refuse(400, 'invalid_request', 'The request body is not valid JSON.');
  }
}
