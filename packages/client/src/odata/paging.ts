/**
 * List results you can `await` for the first page or `for await` for every item (openai-node habit).
 *
 * Paging facts (mde-api.md §3.6): the documented page maximum is 10,000 (`$top` ≤ 10,000;
 * vulnerabilities 8,000); with `$top` the API sends no `@odata.nextLink` (issues #8489, #8316, #9713),
 * so the robust loop pages with `$top` + `$skip` until a short page, and follows `@odata.nextLink`
 * whenever one is present. Export APIs page only by `@odata.nextLink` (`$skiptoken`) and take
 * `pageSize` instead of `$top`.
 *
 * A next link is followed only to the API's own origin (STYLE.md habit 7: the bearer token never
 * leaves its host). Iteration is streaming: one page is held at a time, never the whole result.
 */
import { type MdeErrorDetails, MdeInvalidResponseError } from "../errors.js";
import type { MdeRequest, MdeTransport } from "../pipeline/transport.js";
import { type BodyIntoResponse, READ_BODY_INTO } from "../request-fetch.js";

/** Documented maximum page size of most MDE lists (mde-api.md §3.6). */
export const DEFAULT_PAGE_SIZE = 10_000;

/** One page of a list. */
export interface Page<T> {
  readonly value: T[];
  /** The server's `@odata.nextLink`, when it sent one. */
  readonly nextLink?: string;
  /** The server's `@odata.context`, when it sent one. */
  readonly context?: string;
  /** The server's `@odata.count` (asked for with `$count=true`; Graph sends it on the first page). */
  readonly count?: number;
}

/**
 * What a page decoder made of one page's body: the page's own count of items and next link, which
 * the pager needs to go on, and whatever the decoder made of the rest.
 */
export interface DecodedPage<R> {
  /** Items on the page as the server sent them (in `skip` mode a full page means there may be more). */
  readonly items: number;
  /** The page's `@odata.nextLink`, when it has one (followed only to the API's origin). */
  readonly nextLink?: string | undefined;
  readonly result: R;
}

/**
 * Turns one page's body — the bytes as received, not yet decoded as text — into a
 * {@link DecodedPage}, or throws (an `MdeInvalidResponseError` for a body that is not an OData
 * collection). It owns the bytes: it may hand their buffer to another thread.
 */
export type PageDecoder<R> = (body: Uint8Array) => Promise<DecodedPage<R>>;

/** Options of {@link PagedResult.decodedPages}. */
export interface DecodedPagesOptions {
  /**
   * A buffer of at least `byteLength` bytes for a page's body to be read into. A promise holds the
   * body back until it resolves: the answer waits in its connection meanwhile (back-pressure for a
   * caller whose pages queue up faster than it can take them).
   */
  readonly bodyBuffer?: (byteLength: number) => Uint8Array | Promise<Uint8Array>;
}

/**
 * Thrown when a next link points to another origin than the API's; no request is sent to it.
 * Code `ERR_MDE_INVALID_RESPONSE` (the service answered something the client cannot use).
 */
export class ForeignNextLinkError extends MdeInvalidResponseError {
  readonly nextLink: string;
  readonly expectedOrigin: string;
  constructor(nextLink: string, expectedOrigin: string, details: MdeErrorDetails = {}) {
    super(
      `refusing to follow @odata.nextLink to ${safeOrigin(nextLink)}: the API origin is ${expectedOrigin} and the bearer token must not leave it`,
      details,
    );
    this.nextLink = nextLink;
    this.expectedOrigin = expectedOrigin;
  }
}

/** How a list endpoint pages. */
export interface PagingPlan {
  readonly transport: MdeTransport;
  /** The first request, without paging parameters. */
  readonly request: Omit<MdeRequest, "url" | "signal">;
  /**
   * `skip`: send `$top` (+ `$skip`) and continue until a short page, following any next link.
   * `next-link`: send no `$top` unless the caller capped the total; follow next links only.
   */
  readonly mode: "skip" | "next-link";
  /** Page size to request in `skip` mode (≤ the documented maximum). */
  readonly pageSize?: number;
  /** Cap on the total number of items (`top` from the caller). */
  readonly top?: number;
  /** Items to skip first (`$skip`). */
  readonly skip?: number;
  /** In `next-link` mode, whether the endpoint takes `$top`/`$skip` (device AV info does; exports and related lists don't). */
  readonly sendTop?: boolean;
  /** Name of the page-size query parameter of export APIs (`pageSize`), with the value to send. */
  readonly pageSizeParam?: { readonly name: string; readonly value: number };
  readonly signal?: AbortSignal;
}

/**
 * A lazily started list. `await` it for the first page, `for await` it for every item, or call
 * `pages()` for every page. Each iteration starts again from the first page.
 *
 * @example
 * const first = await client.alerts.list({ top: 10 });              // { value, nextLink? }
 * for await (const alert of client.alerts.list()) console.log(alert.id);
 */
export class PagedResult<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #plan: PagingPlan;
  #first: Promise<Page<T>> | undefined;

  constructor(plan: PagingPlan) {
    this.#plan = plan;
  }

  /** Fetches (once) and resolves with the first page. */
  // biome-ignore lint/suspicious/noThenProperty: the result is deliberately awaitable (first page).
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#first ??= this.#firstPage();
    return this.#first.then(onfulfilled, onrejected);
  }

  /** Every page, one request at a time. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    yield* pageStream<T>(this.#plan);
  }

  /**
   * Every page's body handed unparsed to `decode`, one request at a time: for a caller that parses
   * (and keeps) pages elsewhere, e.g. on a thread of its own. A `top` cap counts whole pages here:
   * the last page is not cut.
   *
   * `options.bodyBuffer(byteLength)`, when given, supplies the buffer each body is read into (at
   * least `byteLength` bytes; the body is a view of it), so a caller can recycle the memory of
   * bodies it is done with. The client's own transport honours it; a body that arrives another way
   * (a custom `fetch`) is read into a buffer of its own.
   *
   * @example
   * for await (const page of client.alerts.list().decodedPages(parseAndStore)) total += page.items;
   */
  async *decodedPages<R>(decode: PageDecoder<R>, options: DecodedPagesOptions = {}): AsyncGenerator<DecodedPage<R>, void, undefined> {
    yield* pageLoop(this.#plan, (response) => readBody(response, this.#plan, options.bodyBuffer).then(decode));
  }

  /** Every item across pages, holding one page in memory at a time. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of pageStream<T>(this.#plan)) {
      yield* page.value;
    }
  }

  async #firstPage(): Promise<Page<T>> {
    const iterator = pageStream<T>(this.#plan);
    try {
      const next = await iterator.next();
      return next.done ? { value: [] } : next.value;
    } finally {
      await iterator.return(undefined);
    }
  }
}

/** Pages parsed here: the `value` array (cut at `top`), next link, context and count of each. */
async function* pageStream<T>(plan: PagingPlan): AsyncGenerator<Page<T>, void, undefined> {
  const { transport, request } = plan;
  const details = { tenantId: transport.tenantId, operation: request.operation };
  for await (const decoded of pageLoop(plan, async (response, remaining): Promise<DecodedPage<Page<T>>> => {
    let body: Record<string, unknown> | null;
    try {
      body = (await response.json()) as Record<string, unknown> | null;
    } catch {
      throw new MdeInvalidResponseError(`${request.operation}: the page is not JSON`, details);
    }
    if (body === null || typeof body !== "object" || !Array.isArray(body["value"])) {
      throw new MdeInvalidResponseError(`${request.operation}: expected an OData collection with a "value" array`, details);
    }
    const all = body["value"] as T[];
    const value = all.length > remaining ? all.slice(0, remaining) : all;
    const link = typeof body["@odata.nextLink"] === "string" ? (body["@odata.nextLink"] as string) : undefined;
    const context = typeof body["@odata.context"] === "string" ? (body["@odata.context"] as string) : undefined;
    const count = typeof body["@odata.count"] === "number" ? (body["@odata.count"] as number) : undefined;
    const page: Page<T> = {
      value,
      ...(link !== undefined ? { nextLink: link } : {}),
      ...(context !== undefined ? { context } : {}),
      ...(count !== undefined ? { count } : {}),
    };
    return { items: all.length, nextLink: link, result: page };
  })) {
    yield decoded.result;
  }
}

/** A page's body as bytes, for a {@link PageDecoder}: into the caller's buffer where the response can read into one. */
async function readBody(response: Response, plan: PagingPlan, bodyBuffer: DecodedPagesOptions["bodyBuffer"]): Promise<Uint8Array> {
  try {
    const into = bodyBuffer ? (response as Partial<BodyIntoResponse>)[READ_BODY_INTO] : undefined;
    if (into) return await into.call(response, bodyBuffer!);
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    plan.signal?.throwIfAborted();
    throw new MdeInvalidResponseError(`${plan.request.operation}: the page could not be read (${String((error as Error)?.message ?? error)})`, {
      tenantId: plan.transport.tenantId,
      operation: plan.request.operation,
    });
  }
}

/**
 * The paging loop: sends each page's request, lets `decode` read its response, and goes on by the
 * page's next link (own origin only, never twice) or, in `skip` mode, after a full page.
 */
async function* pageLoop<R>(
  plan: PagingPlan,
  decode: (response: Response, remaining: number) => Promise<DecodedPage<R>>,
): AsyncGenerator<DecodedPage<R>, void, undefined> {
  const { transport, request, signal } = plan;
  const origin = new URL(transport.baseUrl).origin;
  let remaining = plan.top ?? Number.POSITIVE_INFINITY;
  let skip = plan.skip ?? 0;
  let nextUrl: string | undefined;
  const seen = new Set<string>();

  while (remaining > 0) {
    let sent: MdeRequest;
    let requested = Number.POSITIVE_INFINITY;
    if (nextUrl !== undefined) {
      // Next links carry their own query; the pipeline must not add ours.
      const { query: _query, ...rest } = request;
      sent = { ...rest, url: nextUrl };
    } else {
      const query: Record<string, string | number | boolean | undefined> = { ...request.query };
      if (plan.mode === "skip") {
        requested = Math.min(plan.pageSize ?? DEFAULT_PAGE_SIZE, remaining);
        query["$top"] = requested;
        if (skip > 0) query["$skip"] = skip;
      } else {
        if (plan.sendTop && plan.top !== undefined) query["$top"] = plan.top;
        if (plan.sendTop && skip > 0) query["$skip"] = skip;
        if (plan.pageSizeParam) query[plan.pageSizeParam.name] = Math.min(plan.pageSizeParam.value, remaining);
      }
      sent = { ...request, query };
    }
    if (signal) sent.signal = signal;
    signal?.throwIfAborted();

    const response = await transport.send(sent);
    const page = await decode(response, remaining);
    const { items, nextLink: link } = page;
    remaining -= items;
    yield page;

    if (remaining <= 0) return;
    if (link !== undefined) {
      nextUrl = checkNextLink(link, origin, transport.baseUrl, { tenantId: transport.tenantId, operation: request.operation });
      if (seen.has(nextUrl))
        throw new MdeInvalidResponseError(`${request.operation}: @odata.nextLink repeats ${nextUrl}`, {
          tenantId: transport.tenantId,
          operation: request.operation,
        });
      seen.add(nextUrl);
      continue;
    }
    // No next link: in skip mode a full page means there may be more; anything else ends the list.
    if (nextUrl === undefined && plan.mode === "skip" && items >= requested && items > 0) {
      skip += items;
      continue;
    }
    return;
  }
}

/** Resolves a next link against the base URL and refuses any other origin. */
export function checkNextLink(link: string, origin: string, baseUrl: string, details: MdeErrorDetails = {}): string {
  let url: URL;
  try {
    url = new URL(link, `${baseUrl}/`);
  } catch {
    throw new MdeInvalidResponseError(`@odata.nextLink is not a URL: ${JSON.stringify(link.slice(0, 200))}`, details);
  }
  if (url.origin !== origin) throw new ForeignNextLinkError(link, origin, details);
  return url.href;
}

function safeOrigin(link: string): string {
  try {
    return new URL(link).origin;
  } catch {
    return JSON.stringify(link.slice(0, 100));
  }
}
