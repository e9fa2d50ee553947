import { randomUUID } from "node:crypto";
import type { AppContext } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";

/** The Graph API versions the emulator serves (graph-security.md §3.1: v1.0 and beta). */
export type GraphVersion = "v1.0" | "beta";

/**
 * What every Graph response of one request shares: the ids Graph echoes in
 * headers and in error bodies (graph-security.md §6: `request-id`,
 * `client-request-id`), the version segment and the origin called.
 */
export interface GraphCall {
  requestId: string;
  /** The client's `client-request-id` header when it sent one, else the request id (as observed bodies show). */
  clientRequestId: string;
  version: GraphVersion;
  /** Scheme + host the client called; `@odata.context` and `@odata.nextLink` use it. */
  origin: string;
  /** Epoch ms the request arrived (emulator clock). */
  now: number;
}

export function createGraphCall(state: EmulatorState, c: AppContext, version: GraphVersion): GraphCall {
  const requestId = randomUUID();
  const sent = c.req.header("client-request-id");
  return {
    requestId,
    clientRequestId: sent && sent.length <= 128 ? sent : requestId,
    version,
    origin: new URL(c.req.url).origin,
    now: state.clock.now(),
  };
}

/** `{origin}/{version}/$metadata#{fragment}`, as Graph prints it (examples/graph/list-incidents.response.json). */
export function graphContext(call: GraphCall, fragment: string): string {
  return `${call.origin}/${call.version}/$metadata#${fragment}`;
}

/** The content type Graph answers JSON payloads with. */
const ODATA_JSON = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/** A 2xx Graph JSON response. */
export function graphJson(status: number, body: unknown): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": ODATA_JSON } });
}

/**
 * Adds the headers every Graph response carries (graph-security.md §6, "Recommended
 * headers": `request-id`, `client-request-id`, `x-ms-ags-diagnostic`).
 */
export function finishGraphResponse(call: GraphCall, response: Response): Response {
  response.headers.set("request-id", call.requestId);
  response.headers.set("client-request-id", call.clientRequestId);
  response.headers.set(
    "x-ms-ags-diagnostic",
    JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "EMULATOR" } }),
  );
  return response;
}
