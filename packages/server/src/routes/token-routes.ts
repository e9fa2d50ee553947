/**
 * API tokens in the console (/admin/tokens): create (shown once), list,
 * revoke. Only an admin on every tenant manages them: a token can reach every
 * tenant, so whoever mints one must. Pages only: a token cannot mint or revoke
 * tokens through the JSON API (`mde-partner tokens …` is the other way in).
 */
import { StoreError } from "@mde-partner/sync";
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import { requireEverywhere } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { InputError, NotFoundError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { ROLES, type Role } from "../users-file.js";
import type { PageOptions } from "../views/layout.js";
import { TOKEN_EXPIRY_CHOICES, type TokensPageData, tokensPage } from "../views/pages/tokens-page.js";
import { auditRefused } from "./audit-refusal.js";

const DAY_MS = 24 * 60 * 60_000;

/** The create form's fields, checked: the store's own rules (name, group) come on top. */
function parseCreate(body: Record<string, unknown>, now: number) {
  const field = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
  const form = { name: field("name").trim(), role: field("role"), group: field("group"), expires: field("expires") || "90" };
  if (form.name === "") throw new InputError("a token needs a name (what it is for)");
  if (!(ROLES as readonly string[]).includes(form.role)) throw new InputError(`role must be one of ${ROLES.join(", ")}`);
  if (!(TOKEN_EXPIRY_CHOICES as readonly string[]).includes(form.expires)) throw new InputError("choose when the token expires");
  const expiresAt = form.expires === "never" ? null : new Date(now + Number(form.expires) * DAY_MS).toISOString();
  return { form, input: { name: form.name, role: form.role as Role, group: form.group === "" ? null : form.group, expiresAt } };
}

export function createTokenRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store, clock } = deps.options;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  // The admin role must reach every tenant, not only some groups: a token may reach every tenant.
  const adminEverywhere = [requireRole("admin"), requireEverywhere("admin")] as const;

  const page = async (c: ConsoleContext, extra: Partial<TokensPageData> = {}, flash?: PageOptions["flash"]) => {
    const [tokens, groups] = await Promise.all([store.listApiTokens(), store.listGroups()]);
    return tokensPage(session(c), { tokens, groups, now: clock.now(), ...extra }, flash);
  };

  app.get("/admin/tokens", ...adminEverywhere, async (c) => c.html(await page(c)));

  app.post("/admin/tokens", ...adminEverywhere, async (c) => {
    const body = await c.req.parseBody();
    const actor = session(c).user;
    let parsed: ReturnType<typeof parseCreate> | undefined;
    try {
      parsed = parseCreate(body, clock.now());
      const created = await store.createApiToken({ ...parsed.input, createdBy: actor });
      // The token's text is on the page below and nowhere else: not in the audit entry, not in a log.
      await store.appendAudit({
        actor,
        action: "token.create",
        phase: "completed",
        target: created.record.name,
        request: { id: created.record.id, role: created.record.role, group: created.record.group, expiresAt: created.record.expiresAt },
      });
      return c.html(await page(c, { created }, { kind: "ok", text: `Created API token ${created.record.name} (${created.record.id}).` }));
    } catch (error) {
      const refusal = error instanceof InputError || error instanceof TypeError || error instanceof StoreError;
      const request = parsed ? { role: parsed.input.role, group: parsed.input.group, expiresAt: parsed.input.expiresAt } : null;
      const name = typeof body.name === "string" ? body.name.slice(0, 64) : null;
      await auditRefused(store, { actor, action: "token.create", target: name, request }, error, true);
      if (!refusal) throw error;
      const form = parsed?.form ?? {
        name: name ?? "",
        role: typeof body.role === "string" ? body.role : "viewer",
        group: typeof body.group === "string" ? body.group : "",
        expires: typeof body.expires === "string" ? body.expires : "90",
      };
      return c.html(await page(c, { form }, { kind: "error", text: (error as Error).message }), 400);
    }
  });

  app.post("/admin/tokens/:id/revoke", ...adminEverywhere, async (c) => {
    const id = c.req.param("id");
    const actor = session(c).user;
    const known = (await store.listApiTokens()).find((t) => t.id === id);
    if (!known) {
      await auditRefused(store, { actor, action: "token.revoke", target: id.slice(0, 64) }, new NotFoundError("no such API token"), true);
      throw new NotFoundError("no such API token");
    }
    if (known.revokedAt) return c.html(await page(c, {}, { kind: "info", text: `${known.name} was already revoked.` }));
    const revoked = await store.revokeApiToken(known.id, actor);
    await store.appendAudit({ actor, action: "token.revoke", phase: "completed", target: known.name, request: { id: known.id } });
    return c.html(await page(c, {}, { kind: "ok", text: `Revoked API token ${revoked?.name ?? known.name}: it is refused from now on.` }));
  });

  return app;
}
