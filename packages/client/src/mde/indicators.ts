/**
 * Custom TI indicators (mde-api.md §5.5). Indicator bodies are camelCase; the envelopes of import and
 * batch delete are PascalCase (`Indicators`, `IndicatorIds`; mde-api.md §3.2).
 */
import type { Indicator, IndicatorImportResult, IndicatorSubmission } from "./models/indicator.js";
import type { IndicatorFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, MAX_TOP, odataList, pick, type RequestOptions, sendJson, sendVoid } from "./call.js";

/** Documented maximum of indicators per import call and of ids per batch delete (mde-api.md §5.5). */
export const MAX_INDICATORS_PER_BATCH = 500;

const SUBMISSION_KEYS = [
  "indicatorValue",
  "indicatorType",
  "title",
  "application",
  "expirationTime",
  "action",
  "severity",
  "description",
  "recommendedActions",
  "rbacGroupNames",
  "educateUrl",
  "generateAlert",
] as const;

/** The indicators API of one tenant. */
export interface IndicatorsResource {
  /** `GET /api/indicators` (active indicators; with Ti.ReadWrite only those the app created). */
  list(options?: ListOptions<IndicatorFilterFields>): PagedResult<Indicator>;
  /** `POST /api/indicators` — submit or update (same value + type updates). */
  submit(indicator: IndicatorSubmission, options?: RequestOptions): Promise<Indicator>;
  /**
   * `POST /api/indicators/import` in calls of ≤ 500 (sequential, 30 calls/min) → per-item results in input order.
   * A failing call rejects; the results of the calls before it are lost to the caller but applied by the service.
   */
  import(indicators: readonly IndicatorSubmission[], options?: RequestOptions): Promise<IndicatorImportResult[]>;
  /** `DELETE /api/indicators/{id}` (204). */
  delete(id: string, options?: RequestOptions): Promise<void>;
  /** `POST /api/indicators/BatchDelete` with `{IndicatorIds}`, in calls of ≤ 500 ids (204). */
  batchDelete(ids: readonly string[], options?: RequestOptions): Promise<void>;
}

/** Creates the indicators resource over a transport. */
export function createIndicatorsResource(transport: MdeTransport): IndicatorsResource {
  return {
    list: (options = {}) =>
      odataList<Indicator, IndicatorFilterFields>(transport, "ListIndicators", "/api/indicators", options, { maxTop: MAX_TOP }),
    submit: (indicator, options = {}) =>
      sendJson(transport, buildRequest("SubmitIndicator", "/api/indicators", { body: checkSubmission(indicator), signal: options.signal })),
    import: async (indicators, options = {}) => {
      if (!Array.isArray(indicators) || indicators.length === 0) throw new TypeError("import needs at least one indicator");
      const bodies = indicators.map(checkSubmission);
      const results: IndicatorImportResult[] = [];
      for (const chunk of chunks(bodies, MAX_INDICATORS_PER_BATCH)) {
        const page = await sendJson<{ value?: IndicatorImportResult[] }>(
          transport,
          buildRequest("ImportIndicators", "/api/indicators/import", { body: { Indicators: chunk }, signal: options.signal }),
        );
        if (Array.isArray(page?.value)) results.push(...page.value);
      }
      return results;
    },
    delete: (id, options = {}) => sendVoid(transport, buildRequest("DeleteIndicator", path`/api/indicators/${id}`, options)),
    batchDelete: async (ids, options = {}) => {
      if (!Array.isArray(ids) || ids.length === 0) throw new TypeError("batchDelete needs at least one indicator id");
      for (const id of ids) if (typeof id !== "string" || id === "") throw new TypeError(`invalid indicator id ${JSON.stringify(id)}`);
      for (const chunk of chunks(ids, MAX_INDICATORS_PER_BATCH)) {
        await sendVoid(
          transport,
          buildRequest("BatchDeleteIndicators", "/api/indicators/BatchDelete", { body: { IndicatorIds: chunk }, signal: options.signal }),
        );
      }
    },
  };
}

function checkSubmission(indicator: IndicatorSubmission): Partial<IndicatorSubmission> {
  for (const key of ["indicatorValue", "indicatorType", "action", "title", "description"] as const) {
    if (typeof indicator?.[key] !== "string" || indicator[key] === "") throw new TypeError(`indicator.${key} is required`);
  }
  if (indicator.action === "Audit" && indicator.generateAlert !== true) {
    throw new TypeError("indicator.generateAlert must be true when action is Audit (post-ti-indicator.md)");
  }
  return pick(indicator, SUBMISSION_KEYS);
}

/** Splits a list into chunks of at most `size` (slices; the input is not copied as a whole). */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
