/**
 * `mde-partner notify add|list|test|remove`: notification rules in the store.
 * A rule keeps addresses and secret references (env:VAR, file:/path) only;
 * the long-running commands and `sync` evaluate the rules and deliver.
 * Every change is in the audit log.
 */
import {
  checkRuleDefinition,
  readRuleDefinition,
  describeRule,
  type Destination,
  describeDestination,
  type NotifyMessageRecord,
  parseDestinationSpec,
  type RuleDefinition,
} from "@mde-partner/sync";
import { actorName, auditedWrite } from "../../cli-audit.js";
import { absolutePath, loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { parseGroupName, parseTenantId } from "../../tenant-selection.js";
import { createCliNotifier } from "./running.js";

type Db = { db?: string };

export interface NotifyAddOptions extends OutputOptions {
  name: string;
  to?: string[];
  minSeverity?: string;
  group?: string;
  tenant?: string[];
  source?: string[];
  category?: string[];
  titleContains?: string;
  titlePattern?: string;
  status?: string[];
  on?: string[];
  interval?: string;
  secretRef?: string;
  splunkTokenRef?: string;
  pagerdutyUrl?: string;
  smtpServer?: string;
  smtpFrom?: string;
  smtpUser?: string;
  smtpPasswordRef?: string;
  caFile?: string;
  allowPrivate?: boolean;
  db?: string;
}

/** A reference as stored: `file:` paths made absolute (the rules run from other directories). */
function ref(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith("file:") && !value.startsWith("file:/")) return `file:${absolutePath(value.slice(5))}`;
  return value;
}


export async function runNotifyAdd(options: NotifyAddOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  if (!options.to || options.to.length === 0) throw usageError("name at least one destination with --to", "e.g. --to teams:https://…  --to smtp:soc@example.com --smtp-server mail.example.com:587 …");
  let definition: RuleDefinition;
  try {
    const specOptions = {
      ...(ref(options.secretRef) ? { secretRef: ref(options.secretRef)! } : {}),
      ...(ref(options.splunkTokenRef) ? { splunkTokenRef: ref(options.splunkTokenRef)! } : {}),
      ...(options.pagerdutyUrl ? { pagerdutyUrl: options.pagerdutyUrl } : {}),
      ...(options.smtpServer ? { smtpServer: options.smtpServer } : {}),
      ...(options.smtpFrom ? { smtpFrom: options.smtpFrom } : {}),
      ...(options.smtpUser ? { smtpUser: options.smtpUser } : {}),
      ...(ref(options.smtpPasswordRef) ? { smtpPasswordRef: ref(options.smtpPasswordRef)! } : {}),
      ...(options.caFile ? { caFile: absolutePath(options.caFile) } : {}),
      ...(options.allowPrivate ? { allowPrivateTargets: true } : {}),
    };
    const destinations: Destination[] = options.to.map((spec) => parseDestinationSpec(spec, specOptions));
    definition = checkRuleDefinition({
      ...(options.minSeverity ? { minSeverity: options.minSeverity } : {}),
      ...(options.group !== undefined ? { group: parseGroupName(options.group, "--group") } : {}),
      ...(options.tenant ? { tenantIds: options.tenant.map(parseTenantId) } : {}),
      ...(options.source ? { sources: options.source } : {}),
      ...(options.category ? { categories: options.category } : {}),
      ...(options.titleContains !== undefined ? { titleContains: options.titleContains } : {}),
      ...(options.titlePattern !== undefined ? { titlePattern: options.titlePattern } : {}),
      ...(options.status ? { statuses: options.status } : {}),
      ...(options.on ? { on: options.on } : {}),
      ...(options.interval !== undefined ? { intervalSec: options.interval === "0" || options.interval === "0s" ? 0 : Math.round(parseDuration("--interval", options.interval) / 1000) } : {}),
      destinations,
    });
  } catch (error) {
    throw toCliError(error);
  }
  return withStore(options.db ?? config.storeUrl, async (store) => {
    if (definition.group !== undefined && !(await store.getGroup(definition.group))) throw usageError(`there is no customer group ${JSON.stringify(definition.group)}`, "mde-partner groups list");
    const rule = await auditedWrite(
      ctx,
      store,
      // Destinations as described (no URL path: a Slack or Teams URL is itself a credential).
      { action: "notify.add", target: options.name, request: { match: describeRule(definition), destinations: definition.destinations.map(describeDestination) } },
      () => store.addNotifyRule(options.name, definition, actorName(ctx.io.env)),
      () => `${definition.destinations.length} destination(s)`,
    ).catch((error: unknown) => {
      throw toCliError(error);
    });
    if (out.mode !== "table") out.json({ name: rule.name, createdAt: rule.createdAt, match: describeRule(definition), destinations: definition.destinations.map((d) => ({ id: d.id, kind: d.kind, target: describeDestination(d) })) });
    else {
      out.line(`added rule ${rule.name}: ${describeRule(definition)}`);
      for (const d of definition.destinations) out.line(`  → ${describeDestination(d)}`);
      out.note("alerts that arrive or change from now on are evaluated by sync, sync --watch, worker and serve; try it: mde-partner notify test " + rule.name);
    }
    return EXIT.ok;
  });
}

export async function runNotifyList(options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const rules = await store.listNotifyRules();
    const rows = [];
    for (const r of rules) {
      const def = readRuleDefinition(r.definition);
      const destinations = [];
      for (const d of def?.destinations ?? []) {
        const [last] = await store.listNotifyMessages({ rule: r.name, destination: d.id, limit: 1 });
        destinations.push({ id: d.id, kind: d.kind, target: describeDestination(d), last: last ? lastDelivery(last) : null });
      }
      rows.push({ name: r.name, createdAt: r.createdAt, createdBy: r.createdBy, match: def ? describeRule(def) : "(not readable)", destinations });
    }
    if (out.mode !== "table") out.json(rows);
    else if (rows.length === 0) out.note("no notification rules yet: mde-partner notify add --name N --min-severity High --to teams:https://…");
    else
      for (const r of rows) {
        out.line(`${r.name}  ${r.match}`);
        for (const d of r.destinations) out.line(`  → ${d.target}  ${d.last ? `${d.last.status} ${d.last.kind} ${d.last.createdAt}${d.last.lastError ? ` (${d.last.lastError})` : ""}` : "nothing sent yet"}`);
      }
    return EXIT.ok;
  });
}

function lastDelivery(m: NotifyMessageRecord) {
  return { kind: m.kind, status: m.status, attempts: m.attempts, createdAt: m.createdAt, deliveredAt: m.deliveredAt, lastError: m.lastError };
}

export async function runNotifyTest(name: string, options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const rule = (await store.listNotifyRules()).find((r) => r.name === name);
    if (!rule) throw usageError(`there is no notification rule ${JSON.stringify(name)}`, "mde-partner notify list");
    const def = checkRuleDefinition(rule.definition);
    const results = await createCliNotifier(store, ctx.io.env).test(name);
    const described = results.map((r) => ({ ...r, target: describeDestination(def.destinations.find((d) => d.id === r.destination)!) }));
    if (out.mode !== "table") out.json(described);
    else for (const r of described) out.line(`${r.ok ? "sent" : "FAILED"}  ${r.target}${r.error ? `  (${r.error})` : ""}`);
    return described.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  });
}

export async function runNotifyRemove(name: string, options: OutputOptions & Db, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  return withStore(options.db ?? config.storeUrl, async (store) => {
    const removed = await auditedWrite(ctx, store, { action: "notify.remove", target: name }, () => store.removeNotifyRule(name), (r) => (r ? "removed" : "no such rule")).catch(
      (error: unknown) => {
        throw toCliError(error);
      },
    );
    if (!removed) throw usageError(`there is no notification rule ${JSON.stringify(name)}`, "mde-partner notify list");
    if (out.mode !== "table") out.json({ removed: name });
    else out.line(`removed rule ${name}; its delivery log stays`);
    return EXIT.ok;
  });
}
