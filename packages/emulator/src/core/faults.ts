import type { Clock } from "./clock.js";
import { createRandom } from "./random.js";

/** Where a fault applies. */
export type FaultTarget = "token" | "api" | "graph" | "consent" | "*";

/**
 * One injected fault. Every field but `target` is optional; a rule matches a
 * request when target, tenant and path all match, and it is live between
 * creation and `until` (or for `count` matching requests).
 */
export interface FaultRule {
  id: string;
  target: FaultTarget;
  /** Customer tenant id (GUID, case-insensitive) or omitted for every tenant. */
  tenantId?: string;
  /** Case-insensitive substring of the request path (`/alerts`, `/oauth2/v2.0/token`). */
  pathContains?: string;
  /** Added latency in ms before the request is handled. */
  latencyMs?: number;
  /** Share of matching requests (0..1) that fail with `status` (default 503). */
  errorRatio?: number;
  /** Status for failures; 429 gets a `Retry-After`. */
  status?: number;
  /** `Retry-After` seconds for 429/503 failures (default 1). */
  retryAfterSec?: number;
  /** Reset the connection instead of answering (network failure). */
  dropConnection?: boolean;
  /** Stop matching after this many requests were affected. */
  count?: number;
  /** Stop matching at this epoch ms. */
  until?: number;
}

export type FaultRuleInput = Omit<FaultRule, "id"> & { id?: string; durationMs?: number };

export interface FaultDecision {
  latencyMs: number;
  fail?: { status: number; retryAfterSec?: number; dropConnection?: boolean; ruleId: string };
}

export interface FaultController {
  add(rule: FaultRuleInput): FaultRule;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultRule[];
  /** Decides what happens to one request. */
  decide(request: { target: Exclude<FaultTarget, "*">; tenantId?: string; path: string }): FaultDecision;
}

export function createFaultController(clock: Clock, seed: string): FaultController {
  let rules: FaultRule[] = [];
  let nextId = 1;
  const random = createRandom(`${seed}/faults`);
  const live = () => {
    const now = clock.now();
    rules = rules.filter((r) => (r.until === undefined || r.until > now) && (r.count === undefined || r.count > 0));
    return rules;
  };
  return {
    add(input) {
      const { durationMs, id, ...rest } = input;
      const rule: FaultRule = { ...rest, id: id ?? `fault-${nextId++}` };
      if (durationMs !== undefined) rule.until = clock.now() + durationMs;
      rules.push(rule);
      return rule;
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    list: () => live().map((r) => ({ ...r })),
    decide({ target, tenantId, path }) {
      const decision: FaultDecision = { latencyMs: 0 };
      const lowerPath = path.toLowerCase();
      for (const rule of live()) {
        if (rule.target !== "*" && rule.target !== target) continue;
        if (rule.tenantId && rule.tenantId.toLowerCase() !== tenantId?.toLowerCase()) continue;
        if (rule.pathContains && !lowerPath.includes(rule.pathContains.toLowerCase())) continue;
        let affected = false;
        if (rule.latencyMs) {
          decision.latencyMs += rule.latencyMs;
          affected = true;
        }
        const failing = rule.dropConnection || rule.status !== undefined || rule.errorRatio !== undefined;
        if (!decision.fail && failing && random.next() < (rule.errorRatio ?? 1)) {
          const status = rule.status ?? 503;
          decision.fail = { status, ruleId: rule.id };
          if (rule.dropConnection) decision.fail.dropConnection = true;
          if (status === 429 || status === 503) decision.fail.retryAfterSec = rule.retryAfterSec ?? 1;
          affected = true;
        }
        if (affected && rule.count !== undefined) rule.count--;
      }
      return decision;
    },
  };
}
