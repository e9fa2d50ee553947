/**
 * Microsoft Graph custom detection rules (v1.0 `/security/rules/detectionRules`; platform-2026-12.md):
 * list, get, create, update (PATCH), delete. Creating a rule is documented for the Global service
 * only; a national cloud answers with the service's own error.
 */
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import { pick, type RequestOptions, sendJson, sendVoid } from "../mde/call.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildGraphRequest, type GraphListOptions, graphList } from "./call.js";
import type { GraphDetectionRule, GraphDetectionRuleInput } from "./models/detection-rule.js";

/** Graph's largest `$top` for security lists (platform-2026-12.md: `$top` ≤ 1000). */
export const MAX_GRAPH_DETECTION_RULES_TOP = 1000;

const WRITABLE = ["displayName", "isEnabled", "queryCondition", "schedule", "detectionAction"] as const;

/** Custom detection rules of one tenant (`tenant.graph.detectionRules`). */
export interface GraphDetectionRulesResource {
  /**
   * `GET /security/rules/detectionRules`, following `@odata.nextLink`.
   *
   * @example
   * for await (const rule of tenant.graph.detectionRules.list()) console.log(rule.displayName);
   */
  list(options?: GraphListOptions<never>): PagedResult<GraphDetectionRule>;
  /** `GET /security/rules/detectionRules/{id}`. */
  get(id: string, options?: RequestOptions): Promise<GraphDetectionRule>;
  /** `POST /security/rules/detectionRules` → the created rule (201). */
  create(rule: GraphDetectionRuleInput, options?: RequestOptions): Promise<GraphDetectionRule>;
  /** `PATCH /security/rules/detectionRules/{id}` with the fields to change → the updated rule. */
  update(id: string, change: Partial<GraphDetectionRuleInput>, options?: RequestOptions): Promise<GraphDetectionRule>;
  /** `DELETE /security/rules/detectionRules/{id}` (204). */
  delete(id: string, options?: RequestOptions): Promise<void>;
}

function checkRule(rule: GraphDetectionRuleInput): Partial<GraphDetectionRuleInput> {
  if (typeof rule?.displayName !== "string" || rule.displayName === "") throw new TypeError("rule.displayName is required");
  if (typeof rule.queryCondition?.queryText !== "string" || rule.queryCondition.queryText === "")
    throw new TypeError("rule.queryCondition.queryText is required");
  if (typeof rule.schedule?.frequency !== "string") throw new TypeError("rule.schedule.frequency is required");
  if (typeof rule.detectionAction?.alertTemplate?.title !== "string") throw new TypeError("rule.detectionAction.alertTemplate.title is required");
  return pick(rule, WRITABLE);
}

/** Creates the detection-rules resource over a Graph transport. */
export function createGraphDetectionRulesResource(transport: MdeTransport): GraphDetectionRulesResource {
  const base = "/v1.0/security/rules/detectionRules";
  return {
    list: (options = {}) =>
      graphList<GraphDetectionRule, never>(transport, "ListDetectionRules", base, options, { maxTop: MAX_GRAPH_DETECTION_RULES_TOP }),
    get: (id, options = {}) => sendJson(transport, buildGraphRequest("GetDetectionRule", path`/v1.0/security/rules/detectionRules/${id}`, options)),
    create: async (rule, options = {}) =>
      sendJson(transport, buildGraphRequest("CreateDetectionRule", base, { body: checkRule(rule), signal: options.signal })),
    update: async (id, change, options = {}) => {
      const body = pick(change ?? {}, WRITABLE);
      if (Object.keys(body).length === 0) throw new TypeError(`update needs at least one of ${WRITABLE.join(", ")}`);
      return sendJson(transport, buildGraphRequest("UpdateDetectionRule", path`/v1.0/security/rules/detectionRules/${id}`, { body, signal: options.signal }));
    },
    delete: (id, options = {}) => sendVoid(transport, buildGraphRequest("DeleteDetectionRule", path`/v1.0/security/rules/detectionRules/${id}`, options)),
  };
}
