/** Automated investigations (mde-api.md §5.6). */
import type { Investigation } from "./models/investigation.js";
import type { InvestigationFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { machineId, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, MAX_TOP, odataList, type RequestOptions, requireText, sendJson } from "./call.js";

/** The investigations API of one tenant. */
export interface InvestigationsResource {
  /** `GET /api/investigations`. */
  list(options?: ListOptions<InvestigationFilterFields>): PagedResult<Investigation>;
  /** `GET /api/investigations/{id}` — `id` is the investigation id or the triggering alert id. */
  get(id: string, options?: RequestOptions): Promise<Investigation>;
  /** `POST /api/machines/{id}/startInvestigation` with `{Comment}` → 201 Investigation (50 calls/hour). */
  start(machine: string, options: RequestOptions & { comment: string }): Promise<Investigation>;
}

/** Creates the investigations resource over a transport. */
export function createInvestigationsResource(transport: MdeTransport): InvestigationsResource {
  return {
    list: (options = {}) =>
      odataList<Investigation, InvestigationFilterFields>(transport, "ListInvestigations", "/api/investigations", options, {
        maxTop: MAX_TOP,
      }),
    get: (id, options = {}) => sendJson(transport, buildRequest("GetInvestigation", path`/api/investigations/${id}`, options)),
    start: (machine, options) => {
      requireText(options?.comment, "comment");
      return sendJson(
        transport,
        buildRequest("StartInvestigation", path`/api/machines/${machineId(machine)}/startInvestigation`, {
          body: { Comment: options.comment },
          signal: options.signal,
        }),
      );
    },
  };
}
