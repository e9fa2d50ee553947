import type { ResourceKind } from "../core/access-token.js";
import { MDE_ROLES } from "../core/constants.js";
import type { PartnerApp } from "../core/state.js";

/**
 * Display texts of the Microsoft Graph security application permissions the
 * partner app may request (graph-security.md §2 names the permissions; the texts
 * are those of Graph's permissions reference).
 */
const GRAPH_ROLE_NAMES: Readonly<Record<string, string>> = {
  "ThreatHunting.Read.All": "Run hunting queries",
  "SecurityAlert.Read.All": "Read all security alerts",
  "SecurityAlert.ReadWrite.All": "Read and write to all security alerts",
  "SecurityIncident.Read.All": "Read all security incidents",
  "SecurityIncident.ReadWrite.All": "Read and write to all security incidents",
  "CustomDetection.Read.All": "Read all custom detection rules",
  "CustomDetection.ReadWrite.All": "Read and write all custom detection rules",
  "SecurityEvents.Read.All": "Read your organization's security events",
  "SecurityEvents.ReadWrite.All": "Read and update your organization's security events",
};

/** One application permission as the consent page lists it. */
export interface PermissionLine {
  value: string;
  displayName: string;
}

/** The permissions of one resource the app asks for. */
export interface ResourcePermissions {
  kind: ResourceKind;
  /** Service principal name an admin sees (`WindowsDefenderATP`, `Microsoft Graph`). */
  resourceName: string;
  permissions: PermissionLine[];
}

/** Display name of an app role, falling back to its value for roles the catalogue lacks. */
export function roleDisplayName(kind: ResourceKind, value: string): string {
  if (kind === "mde") return MDE_ROLES.find((r) => r.value.toLowerCase() === value.toLowerCase())?.displayName ?? value;
  return GRAPH_ROLE_NAMES[value] ?? value;
}

/** What an admin consents to for `app` (limited to `kinds`): its required roles per resource. */
export function requestedPermissions(app: PartnerApp, kinds: ReadonlySet<ResourceKind>): ResourcePermissions[] {
  const out: ResourcePermissions[] = [];
  if (kinds.has("mde") && app.requiredRoles.length > 0) {
    out.push({
      kind: "mde",
      resourceName: "WindowsDefenderATP",
      permissions: app.requiredRoles.map((value) => ({ value, displayName: roleDisplayName("mde", value) })),
    });
  }
  if (kinds.has("graph") && app.requiredGraphRoles.length > 0) {
    out.push({
      kind: "graph",
      resourceName: "Microsoft Graph",
      permissions: app.requiredGraphRoles.map((value) => ({ value, displayName: roleDisplayName("graph", value) })),
    });
  }
  return out;
}
