/**
 * `mde-partner app permissions|manifest|az`: the least-privilege application
 * permissions, on WindowsDefenderATP and on Microsoft Graph, for what the
 * integration does (the client's planner: each capability is the operations its
 * feature calls, each operation names its permission), as a table, the app
 * manifest's requiredResourceAccess fragment, or the `az ad app permission` commands.
 */

import { existsSync } from "node:fs";
import {
  type ApiResource,
  CAPABILITIES,
  capabilityForAlertSource,
  findPermission,
  type PermissionPlan,
  type PlanInput,
  planPermissions,
} from "@mde-partner/client";
import { configPath, loadConfig, type PartnerConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputOptions } from "../../output/output.js";

/** What this CLI itself uses when `--for` is not given. */
export const CLI_CAPABILITIES = [
  "alerts:read",
  "alerts:write",
  "machines:read",
  "machines:isolate",
  "machines:restrict",
  "machines:scan",
  "machines:collect",
  "hunting:run",
  "indicators:read",
  "indicators:write",
  "sync",
] as const;

const RESOURCE_NAME = { mde: "WindowsDefenderATP", graph: "Microsoft Graph" } as const;

export interface AppOptions extends OutputOptions {
  for?: string[];
  appId?: string;
}

/** Plans the permissions for `--for` (capability keys such as alerts:read, or operation names). */
export function planFor(list: readonly string[] | undefined): PermissionPlan {
  const inputs = list && list.length > 0 ? list : [...CLI_CAPABILITIES];
  try {
    return planPermissions(inputs as PlanInput[]);
  } catch (error) {
    throw usageError(
      (error as Error).message,
      `capabilities: ${[...Object.keys(CAPABILITIES), "tvm:read"].join(", ")} (or an operation name such as ListAlerts)`,
    );
  }
}

/**
 * The resources a customer's admin must consent to for this integration: those of the configured
 * capabilities (`init --for`, else what this CLI does) and permissions, as a tenant with
 * `alertSource` exercises them (a Graph-sourced tenant's sync reads Microsoft Graph).
 */
export function consentResources(config: Pick<PartnerConfig, "capabilities" | "permissions">, alertSource?: "mde" | "graph"): ApiResource[] {
  const capabilities = (config.capabilities ?? [...CLI_CAPABILITIES]).map((c) => capabilityForAlertSource(c, alertSource));
  const needed = new Set<ApiResource>(planFor(capabilities).resources);
  for (const name of config.permissions ?? []) needed.add(findPermission(name)?.resource ?? "mde");
  return (["mde", "graph"] as const).filter((r) => needed.has(r));
}

export async function runAppPermissions(options: AppOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const plan = planFor(options.for);
  if (out.mode !== "table") {
    out.json({ permissions: plan.permissions, roles: plan.roles, requirements: plan.requirements, resources: plan.resources });
    return EXIT.ok;
  }
  const why = (name: string) =>
    plan.requirements.filter((r) => r.anyOf.some((p) => p.toLowerCase() === name.toLowerCase())).map((r) => r.operation);
  out.table(
    [
      { header: "PERMISSION", value: (r) => r.name, style: (t) => out.palette.cyan(t) },
      { header: "RESOURCE", value: (r) => RESOURCE_NAME[r.resource] },
      { header: "APP ROLE ID", value: (r) => r.appRoleId },
      { header: "FOR", value: (r) => why(r.name).join(", "), max: 70 },
    ],
    plan.roles,
  );
  out.line("");
  const per = plan.resources.map((res) => `${plan.roles.filter((r) => r.resource === res).length} of ${RESOURCE_NAME[res]}`);
  out.line(`${plan.permissions.length} application permissions (${per.join(", ")}; type: Application). Admin consent is required.`);
  return EXIT.ok;
}

export async function runAppManifest(options: AppOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, { ...options, json: true });
  out.json({ requiredResourceAccess: planFor(options.for).requiredResourceAccess });
  return EXIT.ok;
}

export async function runAppAz(options: AppOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  let appId = options.appId;
  if (appId === undefined && existsSync(configPath(ctx.home))) appId = loadConfig(ctx.home).clientId;
  if (appId === undefined) throw usageError("no app id: pass --app-id or run mde-partner init first");
  const plan = planFor(options.for);
  let commands: string[];
  try {
    commands = plan.azCommands(appId);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  if (out.mode !== "table") out.json({ appId, commands });
  else ctx.io.stdout.write(`${commands.join("\n")}\n`);
  return EXIT.ok;
}
