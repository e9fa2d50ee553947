import { randomUUID } from "node:crypto";

/** A token endpoint's 200 answer: JSON, never cached, with a request id as Entra sends. */
export function tokenResponse(body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store, no-cache",
      pragma: "no-cache",
      "x-ms-request-id": randomUUID(),
    },
  });
}
