/**
 * The desired-state model of a fleet baseline: custom indicators (MDE's own field
 * names, mde-api.md §5.5), custom detection rules (Graph v1.0 `detectionRule`) and device-tag
 * rules, a scope of tenants and per-tenant overrides.
 *
 * `parseBaseline` takes the plain value a YAML or JSON file decodes to and either returns a frozen
 * {@link Baseline} or throws a {@link BaselineValidationError} whose issues carry the path of each
 * mistake, so the CLI can name the file's line.
 */
import { createHash } from "node:crypto";

/** Documented indicator types (mde-api.md §5.5). */
export const INDICATOR_TYPES = ["FileSha1", "FileSha256", "FileMd5", "CertificateThumbprint", "IpAddress", "DomainName", "Url"] as const;
/** Indicator actions supported today (the `Alert*` ones ended in January 2022). */
export const INDICATOR_ACTIONS = ["Warn", "Block", "Audit", "BlockAndRemediate", "Allowed"] as const;
export const INDICATOR_SEVERITIES = ["Informational", "Low", "Medium", "High"] as const;
/**
 * Detection-rule schedules: Graph v1.0 takes `schedule.frequency` as an ISO 8601 duration; the
 * portal offers continuous (`PT0S`), 1, 3, 12 and 24 hours. The file may also say `0`, `1H`, `3H`,
 * `12H`, `24H` (the retired beta `period` spelling).
 */
export const RULE_FREQUENCIES = ["PT0S", "PT1H", "PT3H", "PT12H", "PT24H"] as const;

/** Hours of an ISO 8601 duration (`PT1H`, `P1D`) or a period (`1H`, `0`); undefined for anything else. */
export function frequencyHours(text: string): number | undefined {
  const short = /^(\d+)H?$/i.exec(text.trim());
  if (short) return Number(short[1]);
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text.trim());
  if (!m || /^P$|T$/i.test(text.trim())) return undefined;
  const seconds = Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return seconds % 3600 === 0 ? seconds / 3600 : undefined;
}

/** One indicator as the baseline wants it (MDE field names). */
export interface BaselineIndicator {
  readonly indicatorType: (typeof INDICATOR_TYPES)[number];
  readonly indicatorValue: string;
  readonly action: (typeof INDICATOR_ACTIONS)[number];
  readonly title: string;
  /** What the operator wrote; the ownership marker is added when sent. */
  readonly description: string;
  readonly severity?: (typeof INDICATOR_SEVERITIES)[number];
  readonly expirationTime?: string;
  readonly recommendedActions?: string;
  readonly rbacGroupNames?: readonly string[];
  readonly generateAlert?: boolean;
  readonly application?: string;
  readonly educateUrl?: string;
}

/** One custom detection rule. `key` names it across tenants (default: its display name). */
export interface BaselineDetectionRule {
  readonly key: string;
  readonly displayName: string;
  readonly isEnabled: boolean;
  readonly queryText: string;
  /** ISO 8601 duration, one of {@link RULE_FREQUENCIES}. */
  readonly frequency: string;
  readonly alertTemplate: {
    readonly title: string;
    readonly description: string;
    readonly severity: string;
    readonly recommendedActions?: string;
    readonly tactics?: readonly string[];
    readonly customDetails?: unknown;
    readonly entityMappings?: unknown;
  };
  /** Graph's `detectionAction.automatedActions`, as written (isolate, stop and quarantine, …). */
  readonly automatedActions?: unknown;
  readonly organizationalScope?: unknown;
}

/** A device-tag rule: machines matching every given condition carry `tag`. */
export interface BaselineDeviceTag {
  readonly tag: string;
  readonly match: {
    readonly osPlatform?: readonly string[];
    readonly computerDnsNamePrefix?: string;
    readonly rbacGroupName?: readonly string[];
  };
}

/** Which tenants: every stored tenant (that a sync would take), listed ids, customer groups, minus exclusions. */
export interface BaselineScope {
  readonly all: boolean;
  readonly tenantIds: readonly string[];
  readonly groups: readonly string[];
  readonly exclude: readonly string[];
}

/** What differs at one tenant. */
export interface BaselineOverride {
  readonly excludeIndicators: readonly string[];
  readonly excludeDetectionRules: readonly string[];
  readonly indicators: readonly BaselineIndicator[];
  readonly detectionRules: readonly BaselineDetectionRule[];
}

/** A validated baseline. */
export interface Baseline {
  readonly name: string;
  /** The file's `revision`, or a digest of its content when it names none. */
  readonly revision: string;
  /** Take over existing objects of the same identity that the baseline did not create. */
  readonly adopt: boolean;
  readonly scope: BaselineScope;
  readonly indicators: readonly BaselineIndicator[];
  readonly detectionRules: readonly BaselineDetectionRule[];
  readonly deviceTags: readonly BaselineDeviceTag[];
  /** By lower-case tenant id. */
  readonly overrides: Readonly<Record<string, BaselineOverride>>;
}

/** A path into the decoded document, e.g. `["indicators", 3, "action"]`. */
export type DocumentPath = ReadonlyArray<string | number>;

/** One mistake in a baseline document. */
export interface BaselineIssue {
  readonly path: DocumentPath;
  readonly message: string;
}

/** The document is not a valid baseline: every issue found, in document order. */
export class BaselineValidationError extends Error {
  readonly code = "ERR_BASELINE_INVALID";
  constructor(readonly issues: readonly BaselineIssue[]) {
    super(issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("\n"));
    this.name = "BaselineValidationError";
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly issues: BaselineIssue[] = [];
  constructor(readonly now: number) {}
  fail(path: DocumentPath, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }
  object(v: unknown, path: DocumentPath, keys: readonly string[]): Obj | undefined {
    if (!isObj(v)) return this.fail(path, "must be a mapping");
    for (const k of Object.keys(v)) if (!keys.includes(k)) this.fail([...path, k], `unknown field (expected one of ${keys.join(", ")})`);
    return v;
  }
  string(o: Obj, key: string, path: DocumentPath, required: boolean, max = 4096): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return required ? this.fail([...path, key], "is required") : undefined;
    if (typeof v !== "string" || v.trim() === "") return this.fail([...path, key], "must be a non-empty string");
    if (v.length > max) return this.fail([...path, key], `is longer than ${max} characters`);
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, path: DocumentPath, values: readonly T[], required: boolean): T | undefined {
    const v = this.string(o, key, path, required);
    if (v === undefined) return undefined;
    const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
    return hit ?? this.fail([...path, key], `must be one of ${values.join(", ")}`);
  }
  bool(o: Obj, key: string, path: DocumentPath): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === "boolean" ? v : this.fail([...path, key], "must be true or false");
  }
  strings(o: Obj, key: string, path: DocumentPath, test?: (s: string) => boolean, what = "string"): string[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.fail([...path, key], `must be a list of ${what}s`);
    const out: string[] = [];
    v.forEach((s, i) => {
      if (typeof s !== "string" || s.trim() === "" || (test && !test(s))) this.fail([...path, key, i], `must be a ${what}`);
      else out.push(s);
    });
    return out;
  }
  list(o: Obj, key: string, path: DocumentPath): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail([...path, key], "must be a list") ?? [];
    return v;
  }
}

const INDICATOR_KEYS = [
  "indicatorType",
  "indicatorValue",
  "action",
  "severity",
  "title",
  "description",
  "expirationTime",
  "recommendedActions",
  "rbacGroupNames",
  "generateAlert",
  "application",
  "educateUrl",
] as const;

function indicator(c: Checker, v: unknown, path: DocumentPath): BaselineIndicator | undefined {
  const o = c.object(v, path, INDICATOR_KEYS);
  if (!o) return undefined;
  const indicatorType = c.oneOf(o, "indicatorType", path, INDICATOR_TYPES, true);
  const rawValue = c.string(o, "indicatorValue", path, true, 2048);
  const action = c.oneOf(o, "action", path, INDICATOR_ACTIONS, true);
  const title = c.string(o, "title", path, true, 250);
  const description = c.string(o, "description", path, false, 3500) ?? title;
  const severity = c.oneOf(o, "severity", path, INDICATOR_SEVERITIES, false);
  const expirationTime = c.string(o, "expirationTime", path, false);
  let expires: string | undefined;
  if (expirationTime !== undefined) {
    const t = Date.parse(expirationTime);
    if (Number.isNaN(t)) c.fail([...path, "expirationTime"], "must be an ISO-8601 time");
    else if (t <= c.now) c.fail([...path, "expirationTime"], "is in the past (an expired indicator is not active and would be created again on every apply)");
    else expires = new Date(t).toISOString();
  }
  const generateAlert = c.bool(o, "generateAlert", path);
  if (action === "Audit" && generateAlert === false) c.fail([...path, "generateAlert"], "must be true when action is Audit");
  const rbacGroupNames = c.strings(o, "rbacGroupNames", path, undefined, "device group name");
  let value = rawValue?.trim();
  if (value !== undefined && indicatorType === "IpAddress" && value.includes("/")) {
    c.fail([...path, "indicatorValue"], "CIDR ranges are not supported by MDE indicators");
    value = undefined;
  }
  if (value !== undefined && /^File(Sha1|Sha256|Md5)$/.test(indicatorType ?? "")) {
    const len = indicatorType === "FileSha1" ? 40 : indicatorType === "FileSha256" ? 64 : 32;
    if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(value)) c.fail([...path, "indicatorValue"], `must be ${len} hex digits for ${indicatorType}`);
  }
  if (!indicatorType || value === undefined || !action || !title || !description) return undefined;
  const recommendedActions = c.string(o, "recommendedActions", path, false);
  const application = c.string(o, "application", path, false);
  const educateUrl = c.string(o, "educateUrl", path, false);
  return Object.freeze({
    indicatorType,
    indicatorValue: value,
    action,
    title,
    description,
    ...(severity ? { severity } : {}),
    ...(expires ? { expirationTime: expires } : {}),
    ...(recommendedActions ? { recommendedActions } : {}),
    ...(rbacGroupNames ? { rbacGroupNames: Object.freeze([...rbacGroupNames].sort()) } : {}),
    ...(action === "Audit" ? { generateAlert: true } : generateAlert !== undefined ? { generateAlert } : {}),
    ...(application ? { application } : {}),
    ...(educateUrl ? { educateUrl } : {}),
  });
}

const RULE_KEYS = ["key", "displayName", "isEnabled", "query", "schedule", "alertTemplate", "automatedActions", "organizationalScope"] as const;
const TEMPLATE_KEYS = ["title", "description", "severity", "recommendedActions", "tactics", "customDetails", "entityMappings"] as const;

function rule(c: Checker, v: unknown, path: DocumentPath): BaselineDetectionRule | undefined {
  const o = c.object(v, path, RULE_KEYS);
  if (!o) return undefined;
  const displayName = c.string(o, "displayName", path, true, 256);
  const key = c.string(o, "key", path, false, 64) ?? displayName;
  if (key !== undefined && !/^[^\]\s][^\]]*$/.test(key)) c.fail([...path, "key"], 'must not contain "]" or start with a space');
  const isEnabled = c.bool(o, "isEnabled", path) ?? true;
  const queryText = c.string(o, "query", path, true, 30_000);
  const schedule = o["schedule"] === undefined ? "PT24H" : typeof o["schedule"] === "number" ? `${o["schedule"]}H` : c.string(o, "schedule", path, false);
  const hours = schedule === undefined ? undefined : frequencyHours(schedule);
  const frequency = hours !== undefined && [0, 1, 3, 12, 24].includes(hours) ? `PT${hours === 0 ? "0S" : `${hours}H`}` : undefined;
  if (schedule !== undefined && frequency === undefined) c.fail([...path, "schedule"], "must be one of PT0S (continuous), PT1H, PT3H, PT12H, PT24H (or 0, 1H, 3H, 12H, 24H)");
  const tp = [...path, "alertTemplate"];
  const t = o["alertTemplate"] === undefined ? c.fail(tp, "is required (title and severity)") : c.object(o["alertTemplate"], tp, TEMPLATE_KEYS);
  const title = t ? c.string(t, "title", tp, true, 256) : undefined;
  const description = (t ? c.string(t, "description", tp, false, 3500) : undefined) ?? title;
  const severity = t ? c.oneOf(t, "severity", tp, ["informational", "low", "medium", "high"], true) : undefined;
  const recommendedActions = t ? c.string(t, "recommendedActions", tp, false) : undefined;
  const tactics = t ? c.strings(t, "tactics", tp, undefined, "MITRE ATT&CK tactic") : undefined;
  if (!displayName || !key || !queryText || !title || !description || !severity || !frequency) return undefined;
  return Object.freeze({
    key,
    displayName,
    isEnabled,
    queryText,
    frequency,
    alertTemplate: Object.freeze({
      title,
      description,
      severity,
      ...(recommendedActions ? { recommendedActions } : {}),
      ...(tactics ? { tactics } : {}),
      ...(t && t["customDetails"] !== undefined ? { customDetails: t["customDetails"] } : {}),
      ...(t && t["entityMappings"] !== undefined ? { entityMappings: t["entityMappings"] } : {}),
    }),
    ...(o["automatedActions"] !== undefined ? { automatedActions: o["automatedActions"] } : {}),
    ...(o["organizationalScope"] !== undefined ? { organizationalScope: o["organizationalScope"] } : {}),
  });
}

function deviceTag(c: Checker, v: unknown, path: DocumentPath): BaselineDeviceTag | undefined {
  const o = c.object(v, path, ["tag", "match"]);
  if (!o) return undefined;
  const tag = c.string(o, "tag", path, true, 200);
  const m = c.object(o["match"] ?? {}, [...path, "match"], ["osPlatform", "computerDnsNamePrefix", "rbacGroupName"]);
  if (!tag || !m) return undefined;
  const mp = [...path, "match"];
  const osPlatform = c.strings(m, "osPlatform", mp);
  const prefix = c.string(m, "computerDnsNamePrefix", mp, false);
  const rbac = c.strings(m, "rbacGroupName", mp);
  return Object.freeze({
    tag,
    match: Object.freeze({ ...(osPlatform ? { osPlatform } : {}), ...(prefix ? { computerDnsNamePrefix: prefix } : {}), ...(rbac ? { rbacGroupName: rbac } : {}) }),
  });
}

function scope(c: Checker, v: unknown): BaselineScope {
  const path = ["scope"];
  if (v === undefined || v === null) return c.fail(path, "is required (scope: {tenants: all}, or lists of tenant ids and groups)") ?? emptyScope;
  const o = c.object(v, path, ["tenants", "groups", "exclude"]);
  if (!o) return emptyScope;
  const guid = (s: string) => GUID.test(s.trim());
  const all = o["tenants"] === "all";
  const tenantIds = all ? [] : (c.strings(o, "tenants", path, guid, 'tenant id (a GUID) or the word "all" instead of a list') ?? []);
  const groups = c.strings(o, "groups", path, (s) => GROUP.test(s), "customer group name") ?? [];
  const exclude = c.strings(o, "exclude", path, guid, "tenant id (a GUID)") ?? [];
  if (!all && tenantIds.length === 0 && groups.length === 0) c.fail(path, "names no tenant: set tenants: all, a list of tenant ids, or groups");
  const lower = (l: string[]) => Object.freeze([...new Set(l.map((s) => s.trim().toLowerCase()))]);
  return Object.freeze({ all, tenantIds: lower(tenantIds), groups: Object.freeze(groups), exclude: lower(exclude) });
}
const emptyScope: BaselineScope = Object.freeze({ all: false, tenantIds: [], groups: [], exclude: [] });

function unique<T>(c: Checker, items: Array<T | undefined>, path: string, id: (t: T) => string, what: string): T[] {
  const seen = new Map<string, number>();
  const out: T[] = [];
  items.forEach((t, i) => {
    if (t === undefined) return;
    const k = id(t);
    const first = seen.get(k);
    if (first !== undefined) c.fail([path, i], `duplicates ${what} at ${path}[${first}]`);
    else {
      seen.set(k, i);
      out.push(t);
    }
  });
  return out;
}

/** Identity of an indicator at MDE: its type and value (an import with the same pair updates it). */
export function indicatorKey(i: { indicatorType: string; indicatorValue: string }): string {
  return `${i.indicatorType}:${i.indicatorValue.trim().toLowerCase()}`;
}

/**
 * Validates a decoded baseline document. `now` (ms) judges expiration times.
 *
 * @example
 * const baseline = parseBaseline(YAML.parse(text)); // throws BaselineValidationError
 */
export function parseBaseline(doc: unknown, now = Date.now()): Baseline {
  const c = new Checker(now);
  const o = c.object(doc, [], ["name", "revision", "adopt", "scope", "indicators", "detectionRules", "deviceTags", "overrides"]);
  if (!o) throw new BaselineValidationError(c.issues);
  const name = c.string(o, "name", [], true, 64);
  if (name !== undefined && !NAME.test(name)) c.fail(["name"], 'must be 1-64 letters, digits, ".", "_" or "-"');
  const revision = c.string(o, "revision", [], false, 64);
  const adopt = c.bool(o, "adopt", []) ?? false;
  const sc = scope(c, o["scope"]);
  const indicators = unique(c, c.list(o, "indicators", []).map((v, i) => indicator(c, v, ["indicators", i])), "indicators", indicatorKey, "the indicator");
  const detectionRules = unique(c, c.list(o, "detectionRules", []).map((v, i) => rule(c, v, ["detectionRules", i])), "detectionRules", (r) => r.key, "the rule key");
  const deviceTags = c.list(o, "deviceTags", []).map((v, i) => deviceTag(c, v, ["deviceTags", i])).filter((t): t is BaselineDeviceTag => t !== undefined);
  const overrides: Record<string, BaselineOverride> = {};
  const ov = o["overrides"];
  if (ov !== undefined && ov !== null) {
    const om = c.object(ov, ["overrides"], Object.keys(isObj(ov) ? ov : {}));
    for (const [tenant, body] of Object.entries(om ?? {})) {
      const p = ["overrides", tenant];
      if (!GUID.test(tenant)) {
        c.fail(p, "must be keyed by a tenant id (a GUID)");
        continue;
      }
      const b = c.object(body, p, ["excludeIndicators", "excludeDetectionRules", "indicators", "detectionRules"]);
      if (!b) continue;
      overrides[tenant.toLowerCase()] = Object.freeze({
        excludeIndicators: Object.freeze(c.strings(b, "excludeIndicators", p, undefined, "indicator value") ?? []),
        excludeDetectionRules: Object.freeze(c.strings(b, "excludeDetectionRules", p, undefined, "rule key") ?? []),
        indicators: Object.freeze(c.list(b, "indicators", p).map((v, i) => indicator(c, v, [...p, "indicators", i])).filter((x): x is BaselineIndicator => !!x)),
        detectionRules: Object.freeze(c.list(b, "detectionRules", p).map((v, i) => rule(c, v, [...p, "detectionRules", i])).filter((x): x is BaselineDetectionRule => !!x)),
      });
    }
  }
  if (c.issues.length > 0 || !name) throw new BaselineValidationError(c.issues);
  const body = { name, adopt, scope: sc, indicators, detectionRules, deviceTags, overrides };
  const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 12);
  return Object.freeze({ ...body, revision: revision ?? digest, indicators: Object.freeze(indicators), detectionRules: Object.freeze(detectionRules), deviceTags: Object.freeze(deviceTags), overrides: Object.freeze(overrides) });
}
