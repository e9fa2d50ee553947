/**
 * Notifications in the console (/admin/notifications): the rules, the delivery
 * log per destination, a test button. Only an admin on every tenant: a rule
 * may reach every tenant, and the log shows alerts of all of them.
 */
import { describeDestination, describeRule, readRuleDefinition } from "@mde-partner/sync";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { requireEverywhere } from "../http/scope.js";
import { NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import type { PageOptions } from "../views/layout.js";
import { type NotificationRuleView, notificationsPage } from "../views/pages/notifications-page.js";

/** Messages shown per destination. */
const LOG_ROWS = 10;


export function createNotificationRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store, notifier } = deps.options;
  const session = (c: ConsoleContext) => c.get("session") as Session;
  const adminEverywhere = [requireRole("admin"), requireEverywhere("admin")] as const;

  const page = async (c: ConsoleContext, flash?: PageOptions["flash"]) => {
    const rules: NotificationRuleView[] = [];
    for (const r of await store.listNotifyRules()) {
      const def = readRuleDefinition(r.definition);
      const destinations = [];
      for (const d of def?.destinations ?? []) {
        destinations.push({ id: d.id, kind: d.kind, target: describeDestination(d), log: await store.listNotifyMessages({ rule: r.name, destination: d.id, limit: LOG_ROWS }) });
      }
      rules.push({ name: r.name, match: def ? describeRule(def) : "(this rule cannot be read)", createdAt: r.createdAt, createdBy: r.createdBy, destinations });
    }
    return notificationsPage(session(c), { rules, canTest: notifier !== undefined }, flash);
  };

  app.get("/admin/notifications", ...adminEverywhere, async (c) => c.html(await page(c)));

  app.post("/admin/notifications/:name/test", ...adminEverywhere, async (c) => {
    const name = c.req.param("name");
    const actor = session(c).user;
    if (!(await store.listNotifyRules()).some((r) => r.name === name)) throw new NotFoundError("no such notification rule");
    if (!notifier) return c.html(await page(c, { kind: "error", text: "This console was started without the rule engine: use mde-partner notify test." }), 400);
    const results = await notifier.test(name);
    const failed = results.filter((r) => !r.ok);
    await store.appendAudit({ actor, action: "notify.test", phase: failed.length ? "failed" : "completed", target: name, result: `${results.length - failed.length}/${results.length} sent` });
    return c.html(
      await page(
        c,
        failed.length
          ? { kind: "error", text: `Test of ${name}: ${failed.length} of ${results.length} destination(s) failed (${failed.map((f) => f.error).join("; ")}).` }
          : { kind: "ok", text: `Test of ${name}: sent to ${results.length} destination(s).` },
      ),
    );
  });

  return app;
}
