import type { VerifiedToken } from "../core/access-token.js";
import type { AppContext } from "../core/http.js";
import type { RateLimits } from "../core/rate-limit.js";
import type { EmulatorState } from "../core/state.js";

/** What a handler of one MDE operation gets after authorization. */
export interface OperationContext {
  state: EmulatorState;
  c: AppContext;
  token: VerifiedToken;
  /** The customer tenant the token was issued for (`tid`). */
  tenantId: string;
  /** Path parameters by name, URL-decoded. */
  params: Readonly<Record<string, string>>;
  url: URL;
  /** Scheme + host the client called; echoed in `@odata.context` (mde-api.md §3.5). */
  origin: string;
}

export type OperationHandler = (ctx: OperationContext) => Response | Promise<Response>;

/**
 * One documented operation: method, path under `/api` (literal segments match
 * case-insensitively, `{name}` captures a segment, `name({args})` captures a
 * function-call segment), permissions (any one suffices, mde-api.md §4), rate
 * limits (§7). Without a handler the operation answers 501 naming itself.
 */
export interface OperationSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  name: string;
  roles: readonly string[];
  limits?: RateLimits;
  handler?: OperationHandler;
  /** Set when the operation is served by another module (advanced hunting). */
  external?: boolean;
}

/**
 * One row of an operation table: method, path (`{param}` segments), the
 * documented operation name, the roles that grant it, and optionally its
 * handler (none: 501 naming the operation) and rate limits (none: the defaults).
 */
export function operation(
  method: OperationSpec["method"],
  path: string,
  name: string,
  roles: readonly string[],
  handler?: OperationHandler,
  limits?: RateLimits,
): OperationSpec {
  return { method, path, name, roles, ...(limits ? { limits } : {}), ...(handler ? { handler } : {}) };
}

const CONTENT_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";

/** A JSON response with the OData content type. */
export function jsonResponse(status: number, body: string | object, headers?: Record<string, string>): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": CONTENT_TYPE, ...headers },
  });
}

/** `{origin}/api/$metadata#{fragment}` (mde-api.md §3.5). */
export function contextUrl(ctx: Pick<OperationContext, "origin">, fragment: string): string {
  return `${ctx.origin}/api/$metadata#${fragment}`;
}

/** A single entity with `@odata.context` first; `json` is the stored JSON text of an object. */
export function entityResponse(ctx: OperationContext, fragment: string, json: string, status = 200): Response {
  const head = `{"@odata.context":${JSON.stringify(contextUrl(ctx, fragment))}`;
  return jsonResponse(status, json === "{}" ? `${head}}` : `${head},${json.slice(1)}`);
}

/** A collection at least this long (in characters, so at least as many bytes) is sent in parts ({@link streamedCollection}). */
const STREAM_COLLECTION_BYTES = 256 * 1024;
/** About this many bytes per part of a streamed collection. */
const COLLECTION_PART_BYTES = 64 * 1024;

/** A collection `{@odata.context, value:[…], @odata.nextLink?}` from items' JSON text. */
export function collectionResponse(ctx: OperationContext, fragment: string, items: readonly string[], nextLink?: string): Response {
  const head = `{"@odata.context":${JSON.stringify(contextUrl(ctx, fragment))},"value":[`;
  const tail = nextLink ? `],"@odata.nextLink":${JSON.stringify(nextLink)}}` : "]}";
  // Characters, not bytes: never more than the UTF-8 bytes, and counted without reading the text.
  let characters = head.length + tail.length + Math.max(0, items.length - 1);
  for (const item of items) characters += item.length;
  if (characters < STREAM_COLLECTION_BYTES) return jsonResponse(200, `${head}${items.join(",")}${tail}`);
  return streamedCollection(head, items, tail);
}

/**
 * A large collection (a page of up to 10,000 alerts is several MiB) written in parts of about
 * {@link COLLECTION_PART_BYTES} as the connection takes them, its length (the parts' bytes) stated
 * up front as before. Built whole, every page was a string, then a buffer, then TLS records of several
 * MiB each, held until the client had read them all: with a sync's 16 pages in flight the
 * emulator's memory and first touches of new memory grew with them.
 *
 * The parts are encoded at once, and the items' text is garbage when this returns. Encoded as the
 * connection took them, the text of every page in flight lived on the JavaScript heap until its
 * last part was written, and each collection copied it again: serving a sync's 16 pages at once,
 * 43% of the emulator's CPU went to garbage collection. Measured side by side (16 pages of 3,000
 * alerts over HTTPS): 250–280 ms of CPU against 430–440 served in turn, 300–360 against 590–600
 * served at once; the parts are let go as they are written, so memory stays as before.
 */
function streamedCollection(head: string, items: readonly string[], tail: string): Response {
  const encoded: Buffer[] = [];
  let length = 0;
  let next = 0;
  while (next < items.length) {
    const parts = next === 0 ? [head] : [];
    let size = 0;
    while (next < items.length && size < COLLECTION_PART_BYTES) {
      const item = items[next++]!;
      parts.push(next === 1 ? item : `,${item}`);
      size += item.length + 1;
    }
    if (next === items.length) parts.push(tail);
    const part = Buffer.from(parts.join(""));
    length += part.length;
    encoded.push(part);
  }
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        // A part handed over is no longer held here.
        controller.enqueue(encoded.shift()!);
        if (encoded.length === 0) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: 200, headers: { "content-type": CONTENT_TYPE, "content-length": String(length) } });
}
