/**
 * Legacy MDE advanced hunting (mde-api.md §5.4; `MDE:defender-endpoint/api/run-advanced-query-api.md`).
 *
 * @deprecated The legacy `POST /api/advancedqueries/run` endpoint stops returning data on 2027-02-01.
 * Its successor is Microsoft Graph `security/runHuntingQuery` (graph-security.md); use it for new work.
 */

import { MdeInvalidResponseError } from "../errors.js";
import type { HuntingColumn, HuntingResult, HuntingRow } from "./models/hunting.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type RequestOptions, requireText, sendJson } from "./call.js";

/** The legacy advanced hunting API of one tenant. */
export interface HuntingResource {
  /**
   * `POST /api/advancedqueries/run` with `{"Query": "<KQL>"}` → `{Schema, Results}` (also readable as
   * `schema`/`results`). Limits: 45 calls/min, 100,000 rows, 124 MB, last 30 days of data.
   *
   * @deprecated Stops returning data on 2027-02-01; Microsoft Graph `runHuntingQuery` is the successor.
   * @example
   * const { results } = await client.hunting.run<{ DeviceId: string }>("DeviceInfo | take 10");
   */
  run<Row = HuntingRow>(query: string, options?: RequestOptions): Promise<HuntingResult<Row>>;
}

/**
 * Creates the hunting resource over a transport. `onUse` runs before each call (the partner client
 * passes its once-per-client retirement warning).
 */
export function createHuntingResource(transport: MdeTransport, onUse?: () => void): HuntingResource {
  return {
    run: async <Row = HuntingRow>(query: string, options: RequestOptions = {}) => {
      requireText(query, "query");
      onUse?.();
      const body = await sendJson<{ Schema?: unknown; Results?: unknown }>(
        transport,
        buildRequest("RunAdvancedQuery", "/api/advancedqueries/run", { body: { Query: query }, signal: options.signal }),
      );
      if (body === null || typeof body !== "object" || !Array.isArray(body.Schema) || !Array.isArray(body.Results)) {
        throw new MdeInvalidResponseError("RunAdvancedQuery: expected {Schema: [...], Results: [...]}", {
          tenantId: transport.tenantId,
          operation: "RunAdvancedQuery",
        });
      }
      // Keep the wire object as sent (other keys such as a future `Stats` survive); add camelCase aliases
      // that are not enumerable, so the result still serialises and compares like the response.
      Object.defineProperties(body, {
        schema: { get: () => body.Schema as HuntingColumn[], enumerable: false },
        results: { get: () => body.Results as Row[], enumerable: false },
      });
      return body as unknown as HuntingResult<Row>;
    },
  };
}
