import { describeResponse, type RateLimitInfo, type WithResponse } from './api-promise';
import { CodexError } from './errors';

/** One page of a list, with the HTTP response it came from (kept out of JSON). */
export class Page<T> {
  readonly data: T[];
  /** Cursor of the next page; null on the last page. */
  readonly nextCursor: string | null;
  readonly #fetch: (cursor: string) => Promise<Page<T>>;
  readonly #response: WithResponse<T[]>;

  constructor(
    data: T[],
    nextCursor: string | null,
    fetchPage: (cursor: string) => Promise<Page<T>>,
    response: Response,
  ) {
    this.data = data;
    this.nextCursor = nextCursor;
    this.#fetch = fetchPage;
    this.#response = describeResponse(data, response);
  }

  /** The final attempt's response for this page; its body has been read. */
  get response(): Response {
    return this.#response.response;
  }

  /** This page's `X-Request-Id`: quote it when contacting support. */
  get requestId(): string | undefined {
    return this.#response.requestId;
  }

  /** This page's rate-limit headers. */
  get rateLimit(): RateLimitInfo {
    return this.#response.rateLimit;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  /** The next page; throws when there is none (check `hasNextPage()` first). */
  getNextPage(): Promise<Page<T>> {
    if (this.nextCursor === null)
      return Promise.reject(new CodexError('This is the last page: hasNextPage() is false.'));
    return this.#fetch(this.nextCursor);
  }
}

/**
 * What a list method returns: await it for the first page, or iterate it for every item across
 * pages (`for await (const doc of client.documents.list())`), or `.byPage()` for every page.
 * Nothing is requested until it is awaited or iterated.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #first: () => Promise<Page<T>>;
  #started: Promise<Page<T>> | undefined;

  constructor(first: () => Promise<Page<T>>) {
    this.#first = first;
  }

  #start(): Promise<Page<T>> {
    this.#started ??= this.#first();
    return this.#started;
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaitable by design.
  then<A = Page<T>, B = never>(
    onfulfilled?: ((value: Page<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#start().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#start().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<T>> {
    return this.#start().finally(onfinally);
  }

  /** The first page with its response, request id and rate-limit headers. */
  withResponse(): Promise<WithResponse<Page<T>>> {
    return this.#start().then((page) => describeResponse(page, page.response));
  }

  /** Every page, in order. */
  async *byPage(): AsyncGenerator<Page<T>, void, undefined> {
    let page = await this.#start();
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.byPage()) yield* page.data;
  }
}
