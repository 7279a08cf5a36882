import { describe, expect, it, vi } from 'vitest';
import * as errors from './index';

const body = { code: 'rate_limited', message: 'Slow down.', request_id: 'req_1' };

describe('error classes', () => {
  it("give every error a stable code: the API's for APIError, the SDK's own otherwise (issue 13, item 7)", () => {
    expect(new errors.CodexError('x').code).toBe('invalid_argument');
    expect(new errors.CodexError('x', { code: 'invalid_option' }).code).toBe('invalid_option');
    expect(new errors.APIUserAbortError().code).toBe('aborted');
    expect(new errors.APIConnectionError().code).toBe('connection_error');
    expect(new errors.APIConnectionTimeoutError().code).toBe('timeout');
    expect(new errors.APIConnectionTimeoutError('over', { code: 'deadline_exceeded' }).code).toBe('deadline_exceeded');
    expect(new errors.APIResponseValidationError('op', 200, new Headers(), 'not JSON', '').code).toBe(
      'invalid_response',
    );
    expect(new errors.RedirectError('op', 302, undefined).code).toBe('redirect');
    expect(errors.makeAPIError(404, { code: 'not_found', message: 'No.' }, new Headers()).code).toBe('not_found');
    const cause = new Error('inner');
    expect(new errors.APIConnectionError('x', { cause }).cause).toBe(cause);
  });

  it('map statuses to the hierarchy, with status, code, message, requestId and headers', () => {
    const headers = new Headers({ 'x-request-id': 'req_1' });
    const cases: Array<[number, string]> = [
      [400, 'BadRequestError'],
      [401, 'AuthenticationError'],
      [403, 'PermissionDeniedError'],
      [404, 'NotFoundError'],
      [409, 'ConflictError'],
      [413, 'PayloadTooLargeError'],
      [415, 'UnsupportedMediaTypeError'],
      [422, 'UnprocessableEntityError'],
      [429, 'RateLimitError'],
      [500, 'InternalServerError'],
      [503, 'InternalServerError'],
      [418, 'APIError'],
    ];
    for (const [status, name] of cases) {
      const error = errors.makeAPIError(status, body, headers);
      expect(error.name, String(status)).toBe(name);
      expect(error).toBeInstanceOf(errors.APIError);
      expect(error).toBeInstanceOf(errors.CodexError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ status, code: 'rate_limited', requestId: 'req_1' });
      expect(error.message).toBe(`${status} rate_limited: Slow down. (request req_1)`);
    }
    const limited = errors.makeAPIError(429, body, headers, 12_000);
    expect((limited as errors.RateLimitError).retryAfter).toBe(12_000);
  });

  it('keeps connection, timeout and abort errors distinct', () => {
    const timeout = new errors.APIConnectionTimeoutError();
    const abort = new errors.APIUserAbortError();
    expect(timeout).toBeInstanceOf(errors.APIConnectionError);
    expect(errors.isAPIConnectionTimeoutError(timeout)).toBe(true);
    expect(errors.isAPIUserAbortError(timeout)).toBe(false);
    expect(errors.isAPIConnectionError(abort)).toBe(false);
    expect(errors.isAPIError(timeout)).toBe(false);
    expect(errors.isCodexError(abort)).toBe(true);
  });

  it('guards and instanceof hold for errors from a duplicate copy of the package', async () => {
    vi.resetModules();
    // A second evaluation of the module: classes distinct from ours, as with two copies in node_modules.
    const specifier = './index?duplicate-copy';
    const copy: typeof errors = await import(/* @vite-ignore */ specifier);
    expect(copy.RateLimitError).not.toBe(errors.RateLimitError);
    const foreign = copy.makeAPIError(429, body, new Headers());
    expect(errors.isRateLimitError(foreign)).toBe(true);
    expect(errors.isAPIError(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(errors.RateLimitError);
    expect(foreign).toBeInstanceOf(errors.CodexError);
    expect(foreign).not.toBeInstanceOf(errors.NotFoundError);
    expect(errors.isNotFoundError(foreign)).toBe(false);
  });

  it('guards hold across realms: a branded error object from elsewhere', () => {
    // What a structured clone or another realm keeps: the global-symbol brand.
    const fromElsewhere = Object.assign(new Error('x'), {
      [Symbol.for('@codex/sdk.error-kinds')]: ['CodexError', 'APIError', 'NotFoundError'],
    });
    expect(errors.isNotFoundError(fromElsewhere)).toBe(true);
    expect(fromElsewhere).toBeInstanceOf(errors.NotFoundError);
    expect(errors.isCodexError(new Error('plain'))).toBe(false);
    expect(errors.isCodexError(null)).toBe(false);
    expect(errors.isCodexError({})).toBe(false);
  });
});
