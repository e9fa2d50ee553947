/**
 * fetch's answer to the requests this client sends most — an API call or a token request with a
 * string body (or none) that follows no redirect — sent with Node's own HTTP client (node:http,
 * node:https) instead of undici's `fetch`. The WHATWG fetch reads a body through web streams chunk
 * by chunk; Node's client hands the socket's bytes over as a Node stream, and parses HTTP with the
 * llhttp built into Node. Measured on the emulator's alert pages (157 MiB over TLS): 4.4 µs of CPU
 * per alert read against 9.6–10.9 µs with `fetch`, and far less per request. Against undici's
 * `request`, which this path used before, a process reading 20 pages used 0.48–0.67 s of CPU
 * instead of 0.85–1.09 s: undici is ~700 KB of JavaScript to load, and its parser is WebAssembly
 * that V8 compiles a second time, optimised, after the first response (bench/sync-script.bench.ts).
 *
 * What the caller sees is fetch's: the same request headers fetch adds (a string body is
 * text/plain unless the caller says otherwise; gzip and deflate accepted and decoded), a
 * `Response` with the status, headers and body, `redirect: "manual"` answered with the redirect
 * itself and `redirect: "error"` refused with fetch's TypeError, the caller's abort rejected with
 * its reason, and a transport failure as fetch's `TypeError("fetch failed")` with the cause.
 * Anything else (another redirect mode, a stream or form body, a Request object) goes to fetch.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { finished, Readable } from "node:stream";
import type { SecureContext } from "node:tls";
import { createGunzip, createInflate } from "node:zlib";

/** Whether `request` can answer this call exactly as fetch would (see the module's comment). */
export function requestCanAnswer(input: unknown, init: RequestInit | undefined): init is RequestInit & { redirect: "manual" | "error" } {
  return (
    (typeof input === "string" || input instanceof URL) &&
    (init?.redirect === "manual" || init?.redirect === "error") &&
    (init.body === undefined || init.body === null || typeof init.body === "string")
  );
}

/** The request headers undici's fetch adds where the caller set none (besides its user-agent and a string body's type). */
const FETCH_HEADERS = [
  ["accept", "*/*"],
  ["accept-language", "*"],
  ["sec-fetch-mode", "cors"],
  ["accept-encoding", "gzip, deflate"],
] as const;

/** Statuses whose response has no body (fetch gives `body: null`). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * A member of the responses {@link requestFetch} gives: reads the whole body, once, into the
 * buffer that `buffer(byteLength)` returns (at least that long), and gives the body as a view of
 * it. Where the caller recycles buffers, a page's body then lands in memory already touched,
 * instead of a new buffer of its size (odata/paging.ts `decodedPages`).
 */
export const READ_BODY_INTO = Symbol("mde-partner.readBodyInto");

/** A response with the {@link READ_BODY_INTO} member. */
export interface BodyIntoResponse extends Response {
  [READ_BODY_INTO](buffer: (byteLength: number) => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array>;
}

/**
 * A member of the responses {@link requestFetch} gives: bounds what any read of the body takes
 * (after content decoding) to `maxBytes`; a body that grows past it ends with `tooLarge()`, its
 * connection closed, holding no more than the bound in memory (pipeline/fetch-sink.ts).
 */
export const LIMIT_BODY = Symbol("mde-partner.limitBody");

/** A response with the {@link LIMIT_BODY} member. */
export interface LimitableResponse extends Response {
  [LIMIT_BODY](maxBytes: number, tooLarge: () => Error): void;
}

/**
 * A `Response` whose body is a Node stream, read without web streams by arrayBuffer/text/json,
 * turned into a web stream only when `body` is asked for: a fetch Response whose body members
 * are its own (they shadow the prototype's).
 */
function streamResponse(stream: Readable | null, init: ResponseInit, knownLength?: number): Response {
  const response = new Response(null, init);
  let web: ReadableStream<Uint8Array> | null | undefined;
  let used = false;
  let limit: { maxBytes: number; tooLarge: () => Error } | undefined;
  const bodyUsed = () => used || (web?.locked ?? false);
  /**
   * Hands each of the body's chunks to `each` as it arrives, once. Listened to, not iterated: a page
   * arrives in thousands of chunks, and each await of an async iterator costs a promise and a turn
   * of the microtask queue.
   */
  const consume = async (each: (chunk: Buffer) => void): Promise<void> => {
    // No body: read as empty, and never used (as fetch has it).
    if (stream === null) return;
    if (bodyUsed()) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
    let read = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => {
        try {
          read += chunk.length;
          if (limit !== undefined && read > limit.maxBytes) throw limit.tooLarge();
          each(chunk);
        } catch (error) {
          stream.destroy(error as Error); // thrown from a listener, it would end the process
        }
      });
      finished(stream, (error) => (error ? reject(error) : resolve()));
    });
  };
  /** The body's chunks and their total length, once. */
  const chunks = async (): Promise<{ chunks: Buffer[]; length: number }> => {
    const all: Buffer[] = [];
    let length = 0;
    await consume((chunk) => {
      all.push(chunk);
      length += chunk.length;
    });
    return { chunks: all, length };
  };
  /** The whole body, once. */
  const bytes = async (): Promise<Buffer> => {
    const read = await chunks();
    return read.chunks.length === 1 ? read.chunks[0]! : Buffer.concat(read.chunks, read.length);
  };
  const readInto = async (buffer: (byteLength: number) => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> => {
    // A buffer given later holds the body back: it waits in the connection meanwhile, and the
    // server's writes wait for it (the caller's back-pressure).
    const checked = async (byteLength: number) => {
      const into = await buffer(byteLength);
      if (!(into instanceof Uint8Array) || into.byteLength < byteLength) throw new RangeError(`a body of ${byteLength} bytes needs a buffer at least that long`);
      return into;
    };
    let at = 0;
    const append = (into: Uint8Array) => (chunk: Uint8Array) => {
      into.set(chunk, at);
      at += chunk.length;
    };
    if (knownLength === undefined) {
      const read = await chunks();
      const into = await checked(read.length);
      read.chunks.forEach(append(into));
      return into.subarray(0, at);
    }
    // The length is known: each chunk is copied as it arrives, while it is still in the cache, and
    // is garbage at once. Gathered first, a page's chunks were copied when the last one came, after
    // the other bodies read meanwhile had pushed them out (bench/sync-script.bench.ts, 40 tenants,
    // 16 at a time: the sync took 4.29 s instead of 4.62; served twice as fast, its CPU per alert
    // was 38 µs instead of 48–52). Node's parser ends a body at its length (a shorter one fails).
    const into = await checked(knownLength);
    await consume(append(into));
    return into.subarray(0, at);
  };
  const arrayBuffer = async (): Promise<ArrayBuffer> => {
    const b = await bytes();
    // A buffer of its own is handed over as it is (a caller may move it to another thread).
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  };
  const text = async () => new TextDecoder().decode(await bytes());
  Object.defineProperties(response, {
    body: {
      get: () => {
        if (web !== undefined) return web;
        const whole = stream === null ? null : (Readable.toWeb(stream) as ReadableStream<Uint8Array>);
        return (web = whole && limit ? limitedStream(whole, limit.maxBytes, limit.tooLarge) : whole);
      },
    },
    bodyUsed: { get: bodyUsed },
    arrayBuffer: { value: arrayBuffer },
    bytes: { value: async () => new Uint8Array(await arrayBuffer()) },
    text: { value: text },
    [READ_BODY_INTO]: { value: readInto },
    [LIMIT_BODY]: {
      value: (maxBytes: number, tooLarge: () => Error) => {
        limit = { maxBytes, tooLarge };
      },
    },
    json: { value: async () => JSON.parse(await text()) as unknown },
    blob: { value: async () => new Blob([await arrayBuffer()], { type: response.headers.get("content-type") ?? "" }) },
    clone: {
      value: () => {
        throw new TypeError("this response cannot be cloned");
      },
    },
  });
  return response;
}

/**
 * `stream` passed on until more than `maxBytes` have gone through it, then ended with `tooLarge()`
 * (the source cancelled): a body read through it holds no more than the bound.
 */
export function limitedStream(stream: ReadableStream<Uint8Array>, maxBytes: number, tooLarge: () => Error): ReadableStream<Uint8Array> {
  let read = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > maxBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** fetch's transport failure: a TypeError naming its cause. */
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });

/** The body decoded as fetch decodes it: gzip and deflate (x-gzip too), undecoded when a coding is unknown. */
function decoded(body: Readable, contentEncoding: string | null): Readable {
  if (!contentEncoding) return body;
  const codings = contentEncoding.toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "" && c !== "identity");
  if (codings.some((c) => c !== "gzip" && c !== "x-gzip" && c !== "deflate")) return body;
  let out = body;
  for (const coding of codings.reverse()) {
    // Lenient like fetch: a body cut short at the end of the compressed data still reads.
    const decoder = coding === "deflate" ? createInflate() : createGunzip({ finishFlush: 2 /* Z_SYNC_FLUSH */ });
    const from = out;
    from.on("error", (error) => decoder.destroy(error));
    out = from.pipe(decoder);
  }
  return out;
}

/** How long a kept-alive connection may stay unused before it is closed (a server's shorter hint wins). */
const IDLE_CONNECTION_MS = 10_000;
/** How long a request may wait for the next byte of its answer (undici's default for headers and body). */
const ANSWER_IDLE_MS = 300_000;

/** Connections to one cloud's hosts, kept alive and reused: a pool for http and one for https. */
export interface RequestTransport {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  readonly connectTimeoutMs: number;
}

/**
 * Closes a kept-alive connection after {@link IDLE_CONNECTION_MS} unused, or sooner when the server
 * said so (Node keeps it until the server closes it, and a request sent as the server closes fails).
 * `keepSocketAlive` is the Agent's documented hook for this.
 */
function closeIdle(agent: HttpAgent): void {
  const keep = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket) => {
    const kept = keep(socket); // Node's own: keep-alive on, and the server's hint, if any, as the timeout
    const { timeout } = socket as Socket;
    if (!timeout || timeout > IDLE_CONNECTION_MS) (socket as Socket).setTimeout(IDLE_CONNECTION_MS);
    return kept;
  };
}

/** The pools of {@link requestFetch}: `secureContext` for a custom cloud's CA, else Node's roots. */
export function createRequestTransport(options: { secureContext?: SecureContext | undefined; connectTimeoutMs: number }): RequestTransport {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true, ...(options.secureContext ? { secureContext: options.secureContext } : {}) });
  closeIdle(http);
  closeIdle(https);
  return { http, https, connectTimeoutMs: options.connectTimeoutMs };
}

/** An error with a code, as Node's network errors have (network.ts reads the code). */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Sends one request and resolves with the answer's head; the body is the answer itself, a Node stream. */
function send(transport: RequestTransport, url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === "https:";
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method,
      headers,
      agent: secure ? transport.https : transport.http,
      timeout: ANSWER_IDLE_MS,
    });
    // The caller's abort before the answer's head: the request is torn down (requestFetch rejects
    // with the signal's reason); after it, requestFetch ends the body.
    const onAbort = () => req.destroy(codedError("aborted by the caller", "ABORT_ERR"));
    signal?.addEventListener("abort", onAbort, { once: true });
    req.once("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    req.once("response", (answer) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(answer);
    });
    req.once("timeout", () => req.destroy(codedError(`no answer for ${ANSWER_IDLE_MS / 1000} s`, "ERR_ANSWER_TIMEOUT")));
    req.once("socket", (socket: Socket) => {
      if (!socket.connecting) return;
      // A connection that is not made in time: nothing was sent (network.ts NOT_SENT_CODES).
      const timer = setTimeout(() => req.destroy(codedError(`no connection within ${transport.connectTimeoutMs} ms`, "ERR_CONNECT_TIMEOUT")), transport.connectTimeoutMs);
      socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    });
    req.end(body);
  });
}

/** Reads an answer's body to its end and lets it go (a body no one wants keeps the connection busy). */
const dump = (answer: IncomingMessage) => answer.resume();

/** Sends one request that {@link requestCanAnswer} accepted and answers as fetch. */
export async function requestFetch(transport: RequestTransport, input: string | URL, init: RequestInit & { redirect: "manual" | "error" }): Promise<Response> {
  const headers = new Headers(init.headers);
  // The headers fetch adds where the caller set none.
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
  for (const [name, value] of FETCH_HEADERS) if (!headers.has(name)) headers.set(name, value);
  const method = (init.method ?? "GET").toUpperCase();
  const body = typeof init.body === "string" ? init.body : undefined;
  // The whole body (or none) is given to Node at once, so it sends its length, never chunks.
  let answer: IncomingMessage;
  try {
    if (init.signal?.aborted) throw init.signal.reason;
    answer = await send(transport, new URL(input), method, Object.fromEntries(headers), body, init.signal ?? undefined);
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw fetchFailed(error);
  }
  const responseHeaders = new Headers();
  const raw = answer.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
  const statusCode = answer.statusCode ?? 0;
  if (init.redirect === "error" && REDIRECT.has(statusCode) && responseHeaders.has("location")) {
    dump(answer);
    throw fetchFailed(new Error("unexpected redirect"));
  }
  const empty = NULL_BODY.has(statusCode) || method === "HEAD";
  if (empty) dump(answer);
  const decodedBody = empty ? null : decoded(answer, responseHeaders.get("content-encoding"));
  // A body no one reads may still fail (a reset, the abort below): that is the reader's to see, not the process's.
  decodedBody?.on("error", () => {});
  // The caller's abort ends a body being read with its reason, as with fetch.
  if (decodedBody && init.signal) {
    const signal = init.signal;
    const onAbort = () => decodedBody.destroy(signal.reason instanceof Error ? signal.reason : fetchFailed(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    decodedBody.once("close", () => signal.removeEventListener("abort", onAbort));
  }
  // The body's length, where its bytes are the body (no content coding to undo).
  const length = decodedBody === answer ? Number(responseHeaders.get("content-length") ?? Number.NaN) : Number.NaN;
  return streamResponse(decodedBody, { status: statusCode, headers: responseHeaders }, Number.isSafeInteger(length) && length >= 0 ? length : undefined);
}
