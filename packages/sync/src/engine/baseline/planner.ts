/**
 * The planner: what one tenant has (indicators, detection rules, machines) against what the
 * baseline wants there → creates, updates and deletes, like `terraform plan`. Pure: reading the
 * tenant is state.ts, writing it is applier.ts.
 *
 * Identity: an indicator is its type + value (MDE's import upserts by that pair); a rule is its
 * baseline key, read back from its ownership mark; a device tag is tag + machine. Objects of the
 * same identity without this baseline's mark are left alone and counted as `conflicts`, unless the
 * baseline adopts them.
 */
import type { GraphDetectionRule, GraphDetectionRuleInput, Indicator, IndicatorSubmission, Machine } from "@mde-partner/client";
import { type Baseline, type BaselineDetectionRule, type BaselineIndicator, frequencyHours, indicatorKey } from "./model.js";
import { readMark, withMark } from "./ownership.js";

/** Documented limit of active indicators per tenant (mde-api.md §5.5, §7). */
export const ACTIVE_INDICATOR_LIMIT = 15_000;

/** What a tenant has now. */
export interface TenantState {
  readonly indicators: readonly Indicator[];
  readonly detectionRules: readonly GraphDetectionRule[];
  /** Only read when the baseline has device-tag rules. */
  readonly machines: readonly Pick<Machine, "id" | "computerDnsName" | "osPlatform" | "rbacGroupName" | "machineTags">[];
}

/** One difference, as plan/drift output and the console show it. */
export interface PlannedChange {
  readonly object: "indicator" | "detectionRule" | "deviceTag";
  readonly action: "create" | "update" | "delete";
  /** Identity: `FileSha256:abc…`, a rule key, or `tag@machineId`. */
  readonly key: string;
  /** For updates: the fields that differ. */
  readonly fields?: readonly string[];
}

/** The plan of one tenant. */
export interface TenantPlan {
  readonly tenantId: string;
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly unchanged: number;
  /** Objects of a desired identity that this baseline did not create (left alone without `adopt`). */
  readonly conflicts: number;
  readonly activeIndicators: { readonly before: number; readonly after: number; readonly limit: number };
  /** Why the plan cannot be applied (e.g. over the indicator limit), if it cannot. */
  readonly refused?: string;
  readonly changes: readonly PlannedChange[];
  /** What the applier sends. */
  readonly work: PlanWork;
}

/** The calls a plan needs. */
export interface PlanWork {
  readonly indicatorUpserts: readonly IndicatorSubmission[];
  readonly indicatorDeletes: readonly string[];
  readonly ruleCreates: ReadonlyArray<{ key: string; input: GraphDetectionRuleInput }>;
  readonly ruleUpdates: ReadonlyArray<{ key: string; id: string; input: GraphDetectionRuleInput }>;
  readonly ruleDeletes: ReadonlyArray<{ key: string; id: string }>;
  readonly tagAdds: ReadonlyArray<{ tag: string; machineIds: readonly string[] }>;
}

/** What the baseline wants at one tenant: its own lists with the tenant's overrides applied. */
export function desiredFor(baseline: Baseline, tenantId: string): { indicators: BaselineIndicator[]; detectionRules: BaselineDetectionRule[] } {
  const o = baseline.overrides[tenantId.toLowerCase()];
  const indicators = new Map(baseline.indicators.map((i) => [indicatorKey(i), i]));
  const rules = new Map(baseline.detectionRules.map((r) => [r.key, r]));
  if (o) {
    const excluded = new Set(o.excludeIndicators.map((v) => v.trim().toLowerCase()));
    for (const [k, i] of indicators) if (excluded.has(i.indicatorValue.toLowerCase())) indicators.delete(k);
    for (const k of o.excludeDetectionRules) rules.delete(k);
    for (const i of o.indicators) indicators.set(indicatorKey(i), i);
    for (const r of o.detectionRules) rules.set(r.key, r);
  }
  return { indicators: [...indicators.values()], detectionRules: [...rules.values()] };
}

/** The body the baseline sends for an indicator (description with the mark). */
export function indicatorSubmission(baseline: Baseline, i: BaselineIndicator): IndicatorSubmission {
  const { description, rbacGroupNames, ...rest } = i;
  return {
    ...rest,
    description: withMark(description, { baseline: baseline.name }),
    ...(rbacGroupNames ? { rbacGroupNames: [...rbacGroupNames] } : {}),
  } as IndicatorSubmission;
}

/** The body the baseline sends for a rule (alert template description with the mark). */
export function ruleInput(baseline: Baseline, r: BaselineDetectionRule): GraphDetectionRuleInput {
  const { description, tactics, ...template } = r.alertTemplate;
  return {
    displayName: r.displayName,
    isEnabled: r.isEnabled,
    queryCondition: { queryText: r.queryText },
    schedule: { frequency: r.frequency },
    detectionAction: {
      alertTemplate: {
        ...template,
        description: withMark(description, { baseline: baseline.name, rule: r.key }),
        ...(tactics ? { tactics: [...tactics] } : {}),
      },
      ...(r.automatedActions !== undefined ? { automatedActions: r.automatedActions } : {}),
      ...(r.organizationalScope !== undefined ? { organizationalScope: r.organizationalScope } : {}),
    },
  };
}

/** JSON with sorted keys, so two equal values compare equal however their keys were ordered. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value ?? null);
}

function sameTime(a: unknown, b: unknown): boolean {
  const x = typeof a === "string" ? Date.parse(a) : Number.NaN;
  const y = typeof b === "string" ? Date.parse(b) : Number.NaN;
  return x === y;
}

/** The fields of `want` that `have` does not match (fields the baseline leaves unset are not compared). */
function indicatorDiff(want: IndicatorSubmission, have: Indicator): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    if (k === "indicatorType" || k === "indicatorValue" || k === "application" || k === "educateUrl") continue;
    const h = (have as unknown as Record<string, unknown>)[k];
    if (k === "expirationTime" ? !sameTime(v, h) : k === "rbacGroupNames" ? stable([...((h as string[]) ?? [])].sort()) !== stable(v) : stable(v) !== stable(h))
      out.push(k);
  }
  return out;
}

/** The fields of `want` that `have` does not match; inside the alert template only the fields the baseline sets. */
function ruleDiff(want: GraphDetectionRuleInput, have: GraphDetectionRule): string[] {
  const out: string[] = [];
  if (want.displayName !== have.displayName) out.push("displayName");
  if ((want.isEnabled ?? true) !== (have.isEnabled ?? true)) out.push("isEnabled");
  if (want.queryCondition.queryText !== have.queryCondition?.queryText) out.push("queryCondition");
  if (frequencyHours(want.schedule.frequency) !== frequencyHours(have.schedule?.frequency ?? "")) out.push("schedule");
  const t = want.detectionAction.alertTemplate ?? {};
  const ht = (have.detectionAction?.alertTemplate ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(t)) if (stable(v) !== stable(ht[k])) out.push(`alertTemplate.${k}`);
  for (const k of ["automatedActions", "organizationalScope"] as const) {
    const w = want.detectionAction[k];
    if (w !== undefined && stable(w) !== stable(have.detectionAction?.[k])) out.push(k);
  }
  return out;
}

function matches(rule: Baseline["deviceTags"][number], m: TenantState["machines"][number]): boolean {
  const { osPlatform, computerDnsNamePrefix, rbacGroupName } = rule.match;
  if (osPlatform && !osPlatform.some((p) => p.toLowerCase() === String(m.osPlatform ?? "").toLowerCase())) return false;
  if (computerDnsNamePrefix && !String(m.computerDnsName ?? "").toLowerCase().startsWith(computerDnsNamePrefix.toLowerCase())) return false;
  if (rbacGroupName && !rbacGroupName.includes(String(m.rbacGroupName ?? ""))) return false;
  return true;
}

/**
 * The plan of one tenant.
 *
 * @example
 * const plan = planTenant(baseline, tenantId, await readTenantState(tenant, baseline));
 * console.log(plan.create, plan.update, plan.delete);
 */
export function planTenant(baseline: Baseline, tenantId: string, state: TenantState): TenantPlan {
  const desired = desiredFor(baseline, tenantId);
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  let conflicts = 0;

  // Indicators.
  const have = new Map<string, Indicator>();
  for (const i of state.indicators) have.set(indicatorKey(i), i);
  const upserts: IndicatorSubmission[] = [];
  const wanted = new Set<string>();
  for (const i of desired.indicators) {
    const key = indicatorKey(i);
    wanted.add(key);
    const body = indicatorSubmission(baseline, i);
    const h = have.get(key);
    if (!h) {
      upserts.push(body);
      changes.push({ object: "indicator", action: "create", key });
      continue;
    }
    if (readMark(h.description)?.baseline !== baseline.name && !baseline.adopt) {
      conflicts++;
      continue;
    }
    const fields = indicatorDiff(body, h);
    if (fields.length === 0) unchanged++;
    else {
      upserts.push(body);
      changes.push({ object: "indicator", action: "update", key, fields });
    }
  }
  const deletes: string[] = [];
  for (const [key, h] of have) {
    if (wanted.has(key) || readMark(h.description)?.baseline !== baseline.name) continue;
    deletes.push(String(h.id));
    changes.push({ object: "indicator", action: "delete", key });
  }

  // Detection rules: ours by mark (name + key); an unmarked rule of the same display name is a conflict (or adopted).
  const ours = new Map<string, GraphDetectionRule>();
  const byName = new Map<string, GraphDetectionRule>();
  for (const r of state.detectionRules) {
    const mark = readMark(r.detectionAction?.alertTemplate?.description);
    if (mark?.baseline === baseline.name && mark.rule !== undefined && !ours.has(mark.rule)) ours.set(mark.rule, r);
    else if (!mark) byName.set(r.displayName, r);
  }
  const ruleCreates: PlanWork["ruleCreates"][number][] = [];
  const ruleUpdates: PlanWork["ruleUpdates"][number][] = [];
  const ruleDeletes: PlanWork["ruleDeletes"][number][] = [];
  const wantedRules = new Set<string>();
  for (const r of desired.detectionRules) {
    wantedRules.add(r.key);
    const input = ruleInput(baseline, r);
    let h = ours.get(r.key);
    if (!h && byName.has(r.displayName)) {
      if (!baseline.adopt) {
        conflicts++;
        continue;
      }
      h = byName.get(r.displayName);
    }
    if (!h) {
      ruleCreates.push({ key: r.key, input });
      changes.push({ object: "detectionRule", action: "create", key: r.key });
      continue;
    }
    const fields = ruleDiff(input, h);
    if (fields.length === 0) unchanged++;
    else {
      ruleUpdates.push({ key: r.key, id: h.id, input });
      changes.push({ object: "detectionRule", action: "update", key: r.key, fields });
    }
  }
  for (const [key, h] of ours) {
    if (wantedRules.has(key)) continue;
    ruleDeletes.push({ key, id: h.id });
    changes.push({ object: "detectionRule", action: "delete", key });
  }
  // Several rules with our mark and one key (a create whose answer was lost, then repeated elsewhere) are not expected:
  // the applier creates a rule only after reading the tenant again, so a resumed apply finds the first one.

  // Device tags: only added; a tag on a machine the rule no longer matches is the operator's to remove.
  const tagAdds: Array<{ tag: string; machineIds: string[] }> = [];
  for (const rule of baseline.deviceTags) {
    const ids: string[] = [];
    for (const m of state.machines) {
      if (!matches(rule, m)) continue;
      if ((m.machineTags ?? []).includes(rule.tag)) unchanged++;
      else {
        ids.push(m.id);
        changes.push({ object: "deviceTag", action: "create", key: `${rule.tag}@${m.id}` });
      }
    }
    if (ids.length) tagAdds.push({ tag: rule.tag, machineIds: ids });
  }

  const created = upserts.length - changes.filter((c) => c.object === "indicator" && c.action === "update").length;
  const before = state.indicators.length;
  const after = before + created - deletes.length;
  const count = (a: PlannedChange["action"]) => changes.filter((c) => c.action === a).length;
  const refused =
    after > ACTIVE_INDICATOR_LIMIT
      ? `would hold ${after.toLocaleString("en-US")} active indicators, ${(after - ACTIVE_INDICATOR_LIMIT).toLocaleString("en-US")} over the limit of ${ACTIVE_INDICATOR_LIMIT.toLocaleString("en-US")} per tenant`
      : undefined;
  return {
    tenantId,
    create: count("create"),
    update: count("update"),
    delete: count("delete"),
    unchanged,
    conflicts,
    activeIndicators: { before, after, limit: ACTIVE_INDICATOR_LIMIT },
    ...(refused ? { refused } : {}),
    changes,
    work: { indicatorUpserts: upserts, indicatorDeletes: deletes, ruleCreates, ruleUpdates, ruleDeletes, tagAdds },
  };
}

/** The plan without its work: what `plan --json`, drift and the store show. */
export function planSummary(plan: TenantPlan, maxChanges = 200): Omit<TenantPlan, "work"> & { changesOmitted?: number } {
  const { work: _work, changes, ...rest } = plan;
  return { ...rest, changes: changes.slice(0, maxChanges), ...(changes.length > maxChanges ? { changesOmitted: changes.length - maxChanges } : {}) };
}
