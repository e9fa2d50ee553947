/**
 * A notification rule: which alert changes it matches and where the messages
 * go. Validated once when added ({@link checkRuleDefinition}); what the store
 * keeps is this JSON, with secrets only as references.
 */
import { createContext, Script } from "node:vm";
import { SEVERITY_RANK, type StoredAlert } from "../../store/index.js";
import { checkGroupName } from "../../store/index.js";
import { checkDestination, type Destination } from "./destinations.js";

/** What happened to an alert, as a rule sees it. */
export type NotifyChange = "new" | "status" | "update";

export const NOTIFY_CHANGES: readonly NotifyChange[] = Object.freeze(["new", "status", "update"]);

export interface RuleDefinition {
  /** Lowest severity matched (`Informational`, `Low`, `Medium`, `High`). */
  readonly minSeverity?: string;
  readonly group?: string;
  readonly tenantIds?: readonly string[];
  /** `detectionSource` or `serviceSource` of the alert, any of these (case-insensitive). */
  readonly sources?: readonly string[];
  /** `category`, any of these (case-insensitive). */
  readonly categories?: readonly string[];
  /** The title contains this (case-insensitive). */
  readonly titleContains?: string;
  /** The title matches this regular expression (case-insensitive, bounded: see {@link checkTitlePattern}). */
  readonly titlePattern?: string;
  /** The alert's status is one of these. */
  readonly statuses?: readonly string[];
  /** Which changes notify (default: `new` and `status`). */
  readonly on?: readonly NotifyChange[];
  /** At most one message per destination per this many seconds; more matches become one digest (default 60). */
  readonly intervalSec?: number;
  readonly destinations: readonly Destination[];
}

/** Longest title pattern accepted. */
export const MAX_TITLE_PATTERN = 200;
/** Characters of a title a pattern is tried on. */
const TITLE_WINDOW = 512;

/**
 * Refuses patterns that can backtrack without bound (a repeated group that
 * itself holds a quantifier or an alternation, back-references) and long ones: tenant titles
 * are attacker-controlled, and the pattern runs on every alert.
 */
export function checkTitlePattern(pattern: string): RegExp {
  if (typeof pattern !== "string" || pattern.length === 0 || pattern.length > MAX_TITLE_PATTERN)
    throw new TypeError(`the title pattern must be 1 to ${MAX_TITLE_PATTERN} characters`);
  if (/\\[1-9k]/.test(pattern) || /\((?:[^()\\]|\\.)*[+*}|](?:[^()\\]|\\.)*\)\s*[+*{]/.test(pattern))
    throw new TypeError("the title pattern may not nest quantifiers (or repeat an alternation) or use back-references (it runs on attacker-controlled titles)");
  try {
    return new RegExp(pattern, "i");
  } catch (error) {
    throw new TypeError(`the title pattern is not a valid regular expression: ${(error as Error).message}`);
  }
}

const list = (value: unknown, what: string, max = 50): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > max || !value.every((v) => typeof v === "string" && v.length > 0 && v.length <= 200))
    throw new TypeError(`${what} must be 1 to ${max} non-empty names`);
  return value as string[];
};

/** Validates a rule as given (CLI, console); returns a frozen copy. Throws `TypeError`. */
export function checkRuleDefinition(input: unknown): RuleDefinition {
  if (!input || typeof input !== "object") throw new TypeError("a rule must be an object");
  const r = input as Record<string, unknown>;
  if (r.minSeverity !== undefined && (typeof r.minSeverity !== "string" || !(r.minSeverity in SEVERITY_RANK)))
    throw new TypeError(`min severity must be one of Informational, Low, Medium, High; got ${JSON.stringify(r.minSeverity)}`);
  if (r.group !== undefined) checkGroupName(r.group);
  const tenantIds = list(r.tenantIds, "tenant ids", 1000);
  const on = list(r.on, "changes");
  if (on && !on.every((c) => (NOTIFY_CHANGES as readonly string[]).includes(c))) throw new TypeError(`changes must be of ${NOTIFY_CHANGES.join(", ")}`);
  if (r.titleContains !== undefined && (typeof r.titleContains !== "string" || r.titleContains.length === 0 || r.titleContains.length > 200))
    throw new TypeError("the title text must be 1 to 200 characters");
  if (r.titlePattern !== undefined) checkTitlePattern(r.titlePattern as string);
  if (r.intervalSec !== undefined && !(Number.isInteger(r.intervalSec) && (r.intervalSec as number) >= 0 && (r.intervalSec as number) <= 86_400))
    throw new TypeError("the interval must be 0 to 86400 seconds");
  if (!Array.isArray(r.destinations) || r.destinations.length === 0 || r.destinations.length > 10) throw new TypeError("a rule needs 1 to 10 destinations");
  const destinations = r.destinations.map((d) => checkDestination(d));
  const ids = new Set(destinations.map((d) => d.id));
  if (ids.size !== destinations.length) throw new TypeError("two destinations of a rule are the same");
  const out: RuleDefinition = {
    ...(r.minSeverity !== undefined ? { minSeverity: r.minSeverity as string } : {}),
    ...(r.group !== undefined ? { group: r.group as string } : {}),
    ...(tenantIds ? { tenantIds: tenantIds.map((t) => t.toLowerCase()) } : {}),
    ...(list(r.sources, "sources") ? { sources: r.sources as string[] } : {}),
    ...(list(r.categories, "categories") ? { categories: r.categories as string[] } : {}),
    ...(r.titleContains !== undefined ? { titleContains: r.titleContains as string } : {}),
    ...(r.titlePattern !== undefined ? { titlePattern: r.titlePattern as string } : {}),
    ...(list(r.statuses, "statuses") ? { statuses: r.statuses as string[] } : {}),
    ...(on ? { on: on as NotifyChange[] } : {}),
    ...(r.intervalSec !== undefined ? { intervalSec: r.intervalSec as number } : {}),
    destinations,
  };
  return Object.freeze(out);
}

/** A stored rule's definition, or undefined when it no longer reads (lists show such a rule as unreadable). */
export function readRuleDefinition(input: unknown): RuleDefinition | undefined {
  try {
    return checkRuleDefinition(input);
  } catch {
    return undefined;
  }
}

/** What changed, given the status the rule saw last (`undefined`: never seen). */
export function changeOf(alert: StoredAlert, seenStatus: string | null | undefined): NotifyChange {
  if (seenStatus === undefined) return "new";
  return (alert.status ?? null) !== seenStatus ? "status" : "update";
}

/** Time a title pattern may take on one title (ms). */
const PATTERN_BUDGET_MS = 50;
const PATTERN_TEST = new Script("pattern.test(title)");

/**
 * `pattern.test` with a time limit. {@link checkTitlePattern} refuses the exponential shapes, but
 * adjacent quantifiers that overlap (`\s*\s*\s*$`, `[a-z]*[a-z]*[a-z]*!`) are polynomial and still
 * take seconds on a 512-character title the tenant wrote, with the pass (and `serve`'s event loop)
 * stalled meanwhile. Run through `vm` with a timeout, such a test is interrupted; it then counts
 * as a match: a noisy message is better than an alert nobody hears of.
 */
function boundedTest(pattern: RegExp): (title: string) => boolean {
  const context = createContext({ pattern, title: "" });
  return (title) => {
    context.title = title;
    try {
      return PATTERN_TEST.runInContext(context, { timeout: PATTERN_BUDGET_MS }) === true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return true;
      throw error;
    }
  };
}

const text = (v: unknown) => (typeof v === "string" ? v : "");
const anyOf = (wanted: readonly string[] | undefined, values: string[]) =>
  wanted === undefined || wanted.some((w) => values.some((v) => v.toLowerCase() === w.toLowerCase()));

/**
 * A compiled rule: `matches` decides for one alert change. Tenant and group
 * are applied by the store query already; they are checked here again only
 * for tenants (cheap, and a rule is then right on its own).
 */
export function compileRule(def: RuleDefinition): (alert: StoredAlert, change: NotifyChange) => boolean {
  const min = def.minSeverity !== undefined ? (SEVERITY_RANK[def.minSeverity] ?? 0) : 0;
  const on = new Set(def.on ?? ["new", "status"]);
  const pattern = def.titlePattern !== undefined ? boundedTest(checkTitlePattern(def.titlePattern)) : undefined;
  const contains = def.titleContains?.toLowerCase();
  const tenants = def.tenantIds ? new Set(def.tenantIds) : undefined;
  return (alert, change) => {
    if (!on.has(change)) return false;
    if (tenants && !tenants.has(alert.tenantId)) return false;
    if ((SEVERITY_RANK[alert.severity ?? ""] ?? 0) < min) return false;
    const p = alert.payload as Record<string, unknown>;
    if (!anyOf(def.sources, [text(p.detectionSource), text(p.serviceSource)])) return false;
    if (!anyOf(def.categories, [text(p.category)])) return false;
    if (!anyOf(def.statuses, [alert.status ?? ""])) return false;
    const title = (alert.title ?? "").slice(0, TITLE_WINDOW);
    if (contains !== undefined && !title.toLowerCase().includes(contains)) return false;
    if (pattern && !pattern(title)) return false;
    return true;
  };
}

/**
 * What a rule matches, in words (lists, the console, the audit log).
 *
 * @example describeRule(def) // "severity ≥ High, group eu-retail, on new, status, at most one message per 60s per destination"
 */
export function describeRule(def: RuleDefinition): string {
  return [
    def.minSeverity ? `severity ≥ ${def.minSeverity}` : "any severity",
    def.group ? `group ${def.group}` : def.tenantIds ? `${def.tenantIds.length} tenant(s)` : "every tenant",
    ...(def.sources ? [`source ${def.sources.join("|")}`] : []),
    ...(def.categories ? [`category ${def.categories.join("|")}`] : []),
    ...(def.titleContains ? [`title contains ${JSON.stringify(def.titleContains)}`] : []),
    ...(def.titlePattern ? [`title ~ /${def.titlePattern}/i`] : []),
    ...(def.statuses ? [`status ${def.statuses.join("|")}`] : []),
    `on ${(def.on ?? ["new", "status"]).join(", ")}`,
    def.intervalSec === 0 ? "every match sent" : `at most one message per ${def.intervalSec ?? 60}s per destination`,
  ].join(", ");
}
