import { typeOf } from './checks';
import { type APIError, APIResponseValidationError, type ErrorBody, makeAPIError } from './errors';
import type { OperationSpec } from './operations';
import { parseRetryAfter } from './retry-after';

const EXCERPT_LENGTH = 200;

/** The typed error of an error answer: the contract's envelope when it has one, else `http_<status>`. */
export function apiErrorOf(response: Response, text: string, now: number): APIError {
  const { status, headers } = response;
  let body: ErrorBody = { code: `http_${status}`, message: response.statusText || 'Request failed.' };
  try {
    const parsed = JSON.parse(text) as { error?: Partial<ErrorBody> } | null;
    const e = parsed?.error;
    if (typeof e?.code === 'string' && typeof e.message === 'string') body = e as ErrorBody;
  } catch {
    // Not the contract's envelope (a proxy's HTML page, say): keep the status.
  }
  // Every error that came with a Retry-After carries it, whatever its class (issue 18).
  return makeAPIError(status, body, headers, parseRetryAfter(headers, now));
}

/** A success answer that is not what the operation declares. The token endpoint's body holds a token: never quoted. */
export function invalidResponse(
  op: OperationSpec,
  response: Response,
  problem: string,
  text = '',
  code?: 'response_too_large',
): Error {
  return new APIResponseValidationError(
    op.operationId,
    response.status,
    response.headers,
    problem,
    op.auth ? text.slice(0, EXCERPT_LENGTH) : '',
    code,
  );
}

/**
 * The success body, checked: undefined for operations that declare none (a 204), else a JSON
 * object of the operation's shape, or APIResponseValidationError. `validate` checks more.
 */
export function parseSuccess(
  op: OperationSpec,
  response: Response,
  text: string,
  validate?: (body: Record<string, unknown>) => string | undefined,
): unknown {
  if (!op.hasResponseBody) return undefined;
  const invalid = (problem: string) => invalidResponse(op, response, problem, text);
  // A success without the body the operation declares (a 204 to documents.get) is not a Document.
  if (response.status === 204 || !text) throw invalid(`the body is empty (status ${response.status})`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`expected a JSON object, got ${typeOf(value)}`);
  const record = value as Record<string, unknown>;
  const { pagination: page, batch } = op;
  const cursor = page && record[page.nextCursorField];
  const problem =
    page && !Array.isArray(record[page.itemsField])
      ? `${page.itemsField} is not an array`
      : // The spec says minLength 1: an empty cursor would be sent as `?cursor=` (issue 18).
        cursor != null && (typeof cursor !== 'string' || cursor === '')
        ? `${page?.nextCursorField} is not a non-empty string or null`
        : batch && !Array.isArray(record[batch.resultsField])
          ? `${batch.resultsField} is not an array`
          : validate?.(record);
  if (problem) throw invalid(problem);
  return record;
}
