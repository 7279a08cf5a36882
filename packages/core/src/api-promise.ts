/** The API's rate-limit headers of a response (`X-RateLimit-*`), as numbers; undefined when absent. */
export type RateLimitInfo = {
  /** Requests allowed per window (`X-RateLimit-Limit`). */
  limit: number | undefined;
  /** Requests left in the window (`X-RateLimit-Remaining`). */
  remaining: number | undefined;
  /** Seconds until the window resets (`X-RateLimit-Reset`). */
  reset: number | undefined;
};

/** A call's result with the HTTP response it came from. */
export type WithResponse<T> = {
  data: T;
  /** The final attempt's response; its body has been read. */
  response: Response;
  /** `X-Request-Id`: quote it when contacting support. */
  requestId: string | undefined;
  rateLimit: RateLimitInfo;
};

const header = (headers: Headers, name: string) => {
  const value = headers.get(name);
  return value === null || value.trim() === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
};

/** The request id and rate-limit headers of a response. */
export function describeResponse<T>(data: T, response: Response): WithResponse<T> {
  const { headers } = response;
  return {
    data,
    response,
    requestId: headers.get('x-request-id') ?? undefined,
    rateLimit: {
      limit: header(headers, 'x-ratelimit-limit'),
      remaining: header(headers, 'x-ratelimit-remaining'),
      reset: header(headers, 'x-ratelimit-reset'),
    },
  };
}

/**
 * What a call returns: await it for the data, or ask for the HTTP response as well
 * (`.withResponse()`: data, response, request id and rate limits) or alone (`.asResponse()`).
 * The request is sent at once, awaited or not.
 */
export class APIPromise<T> implements PromiseLike<T> {
  // The data, as the transport resolves it: awaiting a call costs no more than a plain promise,
  // and the response's request id and rate limits are read only when withResponse() asks.
  readonly #data: Promise<T>;
  #response: Response | undefined;

  /** `send` makes the request; it reports the final response through `onResponse` before resolving. */
  constructor(send: (onResponse: (response: Response) => void) => Promise<T>) {
    this.#data = send((response) => {
      this.#response = response;
    });
  }

  // biome-ignore lint/suspicious/noThenProperty: an APIPromise is awaitable by design.
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#data.then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** The data, the final response (body read), its request id and rate-limit headers. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#data.then((data) => describeResponse(data, this.#response as Response));
  }

  /** The final response (body read); rejects like the call when the call fails. */
  asResponse(): Promise<Response> {
    return this.#data.then(() => this.#response as Response);
  }

  get [Symbol.toStringTag]() {
    return 'APIPromise';
  }
}
