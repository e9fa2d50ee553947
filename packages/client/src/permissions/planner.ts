/**
 * Least-privilege planning for the partner app's application permissions on its two resources:
 * `WindowsDefenderATP` (the MDE API) and Microsoft Graph (hunting, alerts_v2, incidents).
 *
 * Each operation accepts any one of its permissions (mde-api.md §4); the planner picks the smallest
 * set that covers every requested operation and, among equally small sets, the least privileged
 * (Alert.Read.All rather than Alert.ReadWrite.All for reads; Alert.ReadWrite.All alone when writes
 * are needed too). It also renders the app-manifest `requiredResourceAccess` fragment and the
 * equivalent `az ad app permission` commands.
 *
 * The WindowsDefenderATP app id and app-role ids are not in Microsoft's docs; they come from public
 * third-party compilations (mde-api.md §1.10, OBSERVED) — verify against a real tenant before relying on them.
 * The Graph app-role ids are DOC-SILENT too (graph-security.md §2, OBSERVED, consistent across public
 * scripts); some scripts use other ids in GCC High/DoD, where they should be resolved by name from the
 * tenant's Graph service principal `appRoles`.
 */
import { type AnyOperationName, CAPABILITIES, type CapabilityKey, TVM_CAPABILITIES } from "./capabilities.js";
import { GRAPH_APP_ID } from "../clouds.js";
import { GRAPH_OPERATIONS, type GraphOperationName } from "../graph/operations.js";
import { OPERATIONS, type OperationName } from "../mde/operations.js";

export { type AnyOperationName, CAPABILITIES, type CapabilityKey } from "./capabilities.js";

/** Application id of the `WindowsDefenderATP` service principal (mde-api.md §1.10, OBSERVED). */
export const WINDOWS_DEFENDER_ATP_APP_ID = "fc780465-2017-40d4-a0c5-307022471b92";

/** The API a permission (or token) belongs to: the MDE API or Microsoft Graph. */
export type ApiResource = "mde" | "graph";

/** `resourceAppId` of each resource's permissions (the manifest's `requiredResourceAccess`). */
export const RESOURCE_APP_IDS: Readonly<Record<ApiResource, string>> = Object.freeze({
  mde: WINDOWS_DEFENDER_ATP_APP_ID,
  graph: GRAPH_APP_ID,
});

/** One application permission of the WindowsDefenderATP or the Microsoft Graph resource. */
export interface PermissionInfo {
  /** Which API the permission belongs to. */
  readonly resource: ApiResource;
  /** The resource's application id (`resourceAppId` in the manifest). */
  readonly resourceAppId: string;
  /** Role value as the token's `roles` claim carries it. */
  readonly name: string;
  /** Display name of the app role (third-party compilation, mde-api.md §1.10). */
  readonly displayName: string;
  /** Display text the MDE API pages print for it (mde-api.md §4), where they name it. */
  readonly docText?: string;
  /** App-role id, for `requiredResourceAccess` and `az ad app permission add`. */
  readonly appRoleId: string;
  /** Other spellings seen in the docs (compared case-insensitively anyway). */
  readonly aliases: readonly string[];
  /** Permissions this one includes (a ReadWrite includes its Read). */
  readonly implies: readonly string[];
  /** Relative privilege: lower is preferred when several permissions would do. */
  readonly rank: number;
}

function perm(
  name: string,
  appRoleId: string,
  displayName: string,
  rank: number,
  extra: { aliases?: string[]; implies?: string[]; resource?: ApiResource } = {},
): PermissionInfo {
  const resource = extra.resource ?? "mde";
  return Object.freeze({
    resource,
    resourceAppId: RESOURCE_APP_IDS[resource],
    name,
    appRoleId,
    displayName,
    rank,
    aliases: Object.freeze(extra.aliases ?? []),
    implies: Object.freeze(extra.implies ?? []),
  });
}

/** The permission catalogue (mde-api.md §1.10, §4; graph-security.md §2). */
export const PERMISSIONS: readonly PermissionInfo[] = Object.freeze([
  perm("AdvancedQuery.Read.All", "93489bf5-0fbc-4f2d-b901-33f2fe08ff05", "Run advanced queries", 1),
  perm("Alert.Read.All", "71fe6b80-7034-4028-9ed8-0f316df9c3ff", "Read all alerts", 1),
  // update-alert.md misspells it `Alerts.ReadWrite.All` (mde-api.md §4).
  perm("Alert.ReadWrite.All", "0f7000ec-157b-497f-b70e-ef0b0584f140", "Read and write all alerts", 3, {
    aliases: ["Alerts.ReadWrite.All"],
    implies: ["Alert.Read.All"],
  }),
  perm("Event.Write", "84ddd701-5fac-4c30-b0ad-aa73a67bea1a", "Write timeline events", 2),
  perm("File.Read.All", "8788f1a9-beca-4e26-ba58-10513f3b896f", "Read file profiles", 1),
  perm("IntegrationConfiguration.ReadWrite", "7c6f6912-60e9-4fcd-bb2a-c25bc35e8c59", "Read and Write Integration settings", 3),
  perm("Ip.Read.All", "47bf842d-354b-49ef-b741-3a6dd815bc13", "Read IP address profiles", 1),
  perm("Library.Manage", "41d209c7-2511-4fc9-b899-8008a3976f09", "Manage live response library files", 2.5),
  perm("Machine.CollectForensics", "15405ab2-2103-4a3c-ad80-e829841cedcc", "Collect forensics", 2.1),
  perm("Machine.Isolate", "7e4e1300-e1b9-4102-88ba-f0cb6e6d5974", "Isolate machine", 2.3),
  perm("Machine.LiveResponse", "1629b959-c0af-42a1-92f0-f6162060bdf1", "Run live response on a specific machine", 2.7),
  perm("Machine.Offboard", "594435bf-36dd-4548-83bd-1bdafe157d7a", "Offboard machine", 2.8),
  perm("Machine.Read.All", "ea8291d3-4b9a-44b5-bc3a-6cea3026dc79", "Read all machine profiles", 1),
  perm("Machine.ReadWrite.All", "aa027352-232b-4ed4-b963-a705fc4d6d2c", "Read and write all machine information", 3, {
    // get-package-sas-uri.md prints it with a stray quote.
    aliases: ['"Machine.ReadWrite.All'],
    implies: ["Machine.Read.All"],
  }),
  perm("Machine.RestrictExecution", "96b6b35d-074d-4e2d-b167-8d68d9269648", "Restrict code execution", 2.2),
  perm("Machine.Scan", "a86d9824-b2b6-45f8-b042-16bc4922ed4e", "Scan machine", 2),
  perm("Machine.StopAndQuarantine", "96e72b5e-7e68-4171-aad1-3937599e4751", "Stop and quarantine file", 2.4),
  perm("RemediationTasks.Read.All", "6a33eedf-ba73-4e5a-821b-f057ef63853a", "Read all remediation tasks", 1),
  perm("Score.Read.All", "02b005dd-f804-43b4-8fc7-078460413f74", "Read Threat and Vulnerability Management score", 1),
  perm(
    "SecurityBaselinesAssessment.Read.All",
    "e870c0c1-c1a2-41ca-948e-a33912d2d3f0",
    "Read all security baselines assessment information",
    1,
  ),
  perm("SecurityConfiguration.Read.All", "227f2ea0-c2c2-4428-b7af-9ff40f1a720e", "Read all security configurations", 1),
  perm("SecurityConfiguration.ReadWrite.All", "e5e05709-32a3-4c85-89c8-67596eb94f24", "Read and write all security configurations", 3, {
    implies: ["SecurityConfiguration.Read.All"],
  }),
  perm(
    "SecurityRecommendation.Read.All",
    "6443965c-7dd2-4cfd-b38f-bb7772bee163",
    "Read Threat and Vulnerability Management security recommendations",
    1,
  ),
  perm("Software.Read.All", "37f71c98-d198-41ae-964d-2c49aab74926", "Read Threat and Vulnerability Management software information", 1),
  perm("Ti.Read.All", "528ca142-c849-4a5b-935e-10b8b9c38a84", "Read all IOCs", 1),
  perm("Ti.ReadWrite", "a8bc2240-f96a-46a1-bad5-6a960b7327a1", "Read and write IOCs belonging to the app", 2),
  perm("Ti.ReadWrite.All", "fc511a58-3adf-4d71-af24-00f13e35e479", "Read and write all IOCs", 3, {
    implies: ["Ti.ReadWrite", "Ti.Read.All"],
  }),
  // The MDE domain pages write `URL.Read.All`; role compilations and tokens show `Url.Read.All` (DOC-CONFLICT).
  perm("Url.Read.All", "721af526-ffa8-42d7-9b84-1a56244dd99d", "Read URL profiles", 1, { aliases: ["URL.Read.All"] }),
  perm("User.Read.All", "a833834a-4cf1-4732-8acf-bbcfa13fb610", "Read user profiles", 1),
  perm(
    "Vulnerability.Read.All",
    "41269fc5-d04d-4bfd-bce7-43a51cea049a",
    "Read Threat and Vulnerability Management vulnerability information",
    1,
  ),
  // Microsoft Graph (graph-security.md §2; role ids OBSERVED, display names from Graph's permission reference).
  perm("ThreatHunting.Read.All", "dd98c7f5-2d42-42d3-a0e4-633161547251", "Run hunting queries", 1, { resource: "graph" }),
  perm("SecurityAlert.Read.All", "472e4a4d-bb4a-4026-98d1-0b0d74cb74a5", "Read all security alerts", 1, { resource: "graph" }),
  perm("SecurityAlert.ReadWrite.All", "ed4fca05-be46-441f-9803-1873825f8fdb", "Read and write to all security alerts", 3, {
    resource: "graph",
    implies: ["SecurityAlert.Read.All"],
  }),
  perm("SecurityIncident.Read.All", "45cc0394-e837-488b-a098-1918f48d186c", "Read all security incidents", 1, { resource: "graph" }),
  perm("SecurityIncident.ReadWrite.All", "34bf0e97-1971-4929-b999-9e2442d941d7", "Read and write to all security incidents", 3, {
    resource: "graph",
    implies: ["SecurityIncident.Read.All"],
  }),
  // Role id OBSERVED in public app-registration scripts (az ad app permission add … e0fd9c8d…=Role).
  perm("CustomDetection.ReadWrite.All", "e0fd9c8d-a12e-4cc9-9827-20c8c3cd6fb8", "Read and write all custom detection rules", 3, {
    resource: "graph",
  }),
]);

const BY_KEY = new Map<string, PermissionInfo>();
for (const p of PERMISSIONS) {
  BY_KEY.set(p.name.toLowerCase(), p);
  for (const a of p.aliases) BY_KEY.set(a.toLowerCase(), p);
}

/** Finds a permission by name, case-insensitively and by documented alias (`URL.Read.All` → `Url.Read.All`). */
export function findPermission(name: string): PermissionInfo | undefined {
  return BY_KEY.get(String(name).trim().toLowerCase());
}

/** What the planner accepts: operation names (MDE or Graph) and capability keys. */
export type PlanInput = AnyOperationName | CapabilityKey;

/** A requirement: one operation, satisfied by any one of `anyOf`. */
export interface PermissionRequirement {
  readonly operation: AnyOperationName;
  /** The API the operation calls, hence the resource its permissions belong to. */
  readonly resource: ApiResource;
  readonly anyOf: readonly string[];
}

function specOf(name: AnyOperationName): { permissions: readonly string[]; resource: ApiResource } {
  if (Object.hasOwn(GRAPH_OPERATIONS, name)) return GRAPH_OPERATIONS[name as GraphOperationName];
  return { permissions: OPERATIONS[name as OperationName].permissions, resource: "mde" };
}

/** Expands operations and capability keys to the operations they stand for; throws `TypeError` for unknown input. */
export function expandPlanInputs(inputs: readonly PlanInput[]): AnyOperationName[] {
  const out = new Set<AnyOperationName>();
  const add = (key: string) => {
    if (key === "tvm:read") {
      for (const k of TVM_CAPABILITIES) add(k);
    } else if (Object.hasOwn(CAPABILITIES, key)) {
      for (const o of CAPABILITIES[key as keyof typeof CAPABILITIES]) out.add(o);
    } else if (Object.hasOwn(OPERATIONS, key) || Object.hasOwn(GRAPH_OPERATIONS, key)) {
      out.add(key as AnyOperationName);
    } else {
      throw new TypeError(`unknown operation or capability ${JSON.stringify(key)}`);
    }
  };
  for (const input of inputs) add(input);
  return [...out];
}

/** The requirements (one per operation) behind the inputs. */
export function requirementsOf(inputs: readonly PlanInput[]): PermissionRequirement[] {
  return expandPlanInputs(inputs).map((operation) => {
    const spec = specOf(operation);
    return { operation, resource: spec.resource, anyOf: spec.permissions };
  });
}

/** An app-manifest `requiredResourceAccess` entry. */
export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: Array<{ id: string; type: "Role" }>;
}

/** Result of {@link planPermissions}. */
export interface PermissionPlan {
  /** The minimal permission names, sorted. */
  readonly permissions: readonly string[];
  /** Their catalogue entries. */
  readonly roles: readonly PermissionInfo[];
  /** What each operation needed. */
  readonly requirements: readonly PermissionRequirement[];
  /** The manifest fragment: `"requiredResourceAccess": [...]`, one entry per resource (WindowsDefenderATP, then Graph). */
  readonly requiredResourceAccess: RequiredResourceAccess[];
  /** The resources the plan needs permissions on. */
  readonly resources: readonly ApiResource[];
  /** `az ad app permission add …` per role, then `az ad app permission admin-consent …`. */
  azCommands(appId: string): string[];
}

/**
 * Chooses the least-privileged permission set covering the inputs.
 *
 * @example
 * planPermissions(["alerts:read", "machines:isolate", "hunting:run"]).permissions
 * // ["Alert.Read.All", "Machine.Isolate", "Machine.Read.All", "ThreatHunting.Read.All"]
 * planPermissions(["machines:isolate", "graph:hunting", "graph:incidents:read"]).requiredResourceAccess
 * // [{ resourceAppId: WINDOWS_DEFENDER_ATP_APP_ID, … }, { resourceAppId: "00000003-0000-0000-c000-000000000000", … }]
 */
export function planPermissions(inputs: readonly PlanInput[]): PermissionPlan {
  const requirements = requirementsOf(inputs);
  const chosen = minimalCover(requirements.map((r) => r.anyOf.map(canonical)));
  const roles = chosen.map((n) => findPermission(n)!).sort((a, b) => byCodeUnits(a.name, b.name));
  const resources = (["mde", "graph"] as const).filter((res) => roles.some((r) => r.resource === res));
  const requiredResourceAccess: RequiredResourceAccess[] = resources.map((res) => ({
    resourceAppId: RESOURCE_APP_IDS[res],
    resourceAccess: roles.filter((r) => r.resource === res).map((r) => ({ id: r.appRoleId, type: "Role" as const })),
  }));
  return Object.freeze({
    permissions: Object.freeze(roles.map((r) => r.name)),
    roles: Object.freeze(roles),
    requirements: Object.freeze(requirements),
    requiredResourceAccess,
    resources: Object.freeze(resources),
    azCommands(appId: string): string[] {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
        throw new TypeError(`appId must be the application (client) id GUID, got ${JSON.stringify(appId)}`);
      }
      // One `add` per role, WindowsDefenderATP's first, then Graph's (the manifest's order).
      return [
        ...resources.flatMap((res) =>
          roles
            .filter((r) => r.resource === res)
            .map((r) => `az ad app permission add --id ${appId} --api ${r.resourceAppId} --api-permissions ${r.appRoleId}=Role`),
        ),
        `az ad app permission admin-consent --id ${appId}`,
      ];
    },
  });
}

function canonical(name: string): string {
  const p = findPermission(name);
  if (!p) throw new TypeError(`permission ${JSON.stringify(name)} is not in the catalogue`);
  return p.name;
}

/**
 * Permission names in code-unit order: the same order as `localeCompare` gives every name of
 * {@link PERMISSIONS} today, without depending on the machine's locale, and without the collator
 * that a process's first `localeCompare` builds (about 8 ms of CPU here; the sync engine plans a
 * permission set when it loads, so every command paid it).
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Exact minimum hitting set: fewest permissions, then lowest total rank. Requirements with a single
 * option are forced first; the rest is a small branch-and-bound (a handful of alternatives each).
 */
function minimalCover(sets: string[][]): string[] {
  const rank = (n: string) => findPermission(n)!.rank;
  const forced = new Set<string>();
  for (const s of sets) if (s.length === 1) forced.add(s[0]!);
  const open = dedupe(
    sets.filter((s) => !s.some((p) => forced.has(p))).map((s) => [...s].sort((a, b) => rank(a) - rank(b) || byCodeUnits(a, b))),
  );
  let best: { picks: string[]; cost: number } | undefined;
  const search = (picked: string[], cost: number) => {
    if (best && (picked.length > best.picks.length || (picked.length === best.picks.length && cost >= best.cost))) return;
    const unmet = open.filter((s) => !s.some((p) => picked.includes(p)));
    if (unmet.length === 0) {
      best = { picks: [...picked], cost };
      return;
    }
    // Branch on the unmet requirement with the fewest alternatives.
    const next = unmet.reduce((a, b) => (b.length < a.length ? b : a));
    for (const p of next) search([...picked, p], cost + rank(p));
  };
  search([], 0);
  return [...forced, ...(best?.picks ?? [])];
}

function dedupe(sets: string[][]): string[][] {
  const seen = new Set<string>();
  return sets.filter((s) => {
    const key = s.join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Expands granted roles to everything they include (ReadWrite → Read), canonical names. */
function effective(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (name: string) => {
    const p = findPermission(name);
    const key = p ? p.name : String(name).trim();
    if (out.has(key)) return;
    out.add(key);
    for (const i of p?.implies ?? []) add(i);
  };
  for (const g of granted) add(g);
  return out;
}

/**
 * Drift check: which of the `needed` permissions the token's `roles` do not grant. Comparison is
 * case-insensitive and alias-aware (`URL.Read.All` = `Url.Read.All`); a ReadWrite role covers its Read.
 */
export function findMissingPermissions(tokenRoles: readonly string[], needed: readonly string[]): string[] {
  const have = effective(tokenRoles);
  const missing: string[] = [];
  for (const n of needed) {
    const key = findPermission(n)?.name ?? String(n).trim();
    if (!have.has(key) && !missing.includes(key)) missing.push(key);
  }
  return missing;
}

/** Drift check by operation/capability: the requirements none of the token's roles satisfies. */
export function findUnmetRequirements(tokenRoles: readonly string[], inputs: readonly PlanInput[]): PermissionRequirement[] {
  const have = effective(tokenRoles);
  return requirementsOf(inputs).filter((r) => !r.anyOf.some((p) => have.has(findPermission(p)?.name ?? p)));
}
