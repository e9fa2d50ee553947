/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * API tokens (admin on every tenant): the list with last use, expiry and
 * revocation, the create form, and — once, right after it is created — the
 * token itself.
 */
import type { ApiTokenRecord, CustomerGroup } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { ROLES } from "../../users-file.js";
import { Chip, Options, PostForm, Table, Time } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

/** The expiry choices of the create form, in days (`never`: no expiry). */
export const TOKEN_EXPIRY_CHOICES = ["7", "30", "90", "180", "365", "never"] as const;

export interface TokensPageData {
  readonly tokens: readonly ApiTokenRecord[];
  readonly groups: readonly CustomerGroup[];
  readonly now: number;
  /** The token just created: its text is on this page and nowhere else, ever. */
  readonly created?: { readonly record: ApiTokenRecord; readonly token: string };
  /** What the create form held when it was refused. */
  readonly form?: { readonly name: string; readonly role: string; readonly group: string; readonly expires: string };
}

/** `active`, `expired` or `revoked`, as of `now`. */
export function tokenState(t: ApiTokenRecord, now: number): "active" | "expired" | "revoked" {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return "expired";
  return "active";
}

export function tokensPage(session: Session, data: TokensPageData, flash?: PageOptions["flash"]): string {
  const { created, form } = data;
  return layout(
    session,
    { title: "API tokens", section: "tokens", flash },
    <>
      {created ? (
        <section class="card stack" id="created-token" aria-labelledby="created-title">
          <h2 id="created-title">Token {text(created.record.name)} created</h2>
          <p>
            Copy it now: the console keeps only a hash of it and <strong>cannot show it again</strong>. Send it as{" "}
            <code>Authorization: Bearer …</code> to the JSON API (<a href="/api/v1/openapi.json">OpenAPI document</a>).
          </p>
          <pre>
            <code id="new-token">{text(created.token)}</code>
          </pre>
        </section>
      ) : (
        ""
      )}
      <Table
        id="tokens"
        rows={data.tokens}
        row={(t) => ({ "data-token": t.id, "data-state": tokenState(t, data.now) })}
        empty={<p class="muted" id="no-tokens">No API tokens yet.</p>}
        columns={[
          { head: "Name", cell: (t) => t.name },
          { head: "ID", cell: (t) => <code>{text(t.id)}</code> },
          { head: "Role", cell: (t) => t.role },
          { head: "Reaches", cell: (t) => (t.group === null ? "every tenant" : `group ${t.group}`) },
          { head: "State", cell: (t) => <Chip kind={`token-${tokenState(t, data.now)}`}>{tokenState(t, data.now)}</Chip> },
          { head: "Expires", cell: (t) => (t.expiresAt ? <Time iso={t.expiresAt} /> : "never") },
          { head: "Last used", cell: (t) => (t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : "never") },
          {
            head: "Created",
            cell: (t) => (
              <>
                <Time iso={t.createdAt} /> by {text(t.createdBy)}
              </>
            ),
          },
          {
            head: "",
            cell: (t) =>
              t.revokedAt ? (
                <span class="muted">
                  revoked <Time iso={t.revokedAt} />
                </span>
              ) : (
                <PostForm action={`/admin/tokens/${encodeURIComponent(t.id)}/revoke`} session={session}>
                  <button type="submit" class="secondary">Revoke {text(t.name)}</button>
                </PostForm>
              ),
          },
        ]}
      />
      <h2>Create a token</h2>
      <PostForm action="/admin/tokens" session={session} class="card stack" id="create-token">
        <label for="t-name">
          Name (what it is for, e.g. soar-prod)
          <input id="t-name" name="name" required maxlength={64} autocomplete="off" value={text(form?.name ?? "")} />
        </label>
        <label for="t-role">
          Role
          <select id="t-role" name="role">
            <Options values={ROLES} selected={form?.role ?? "viewer"} />
          </select>
        </label>
        <label for="t-group">
          Reaches
          <select id="t-group" name="group">
            <Options
              values={["", ...data.groups.map((g) => g.name)]}
              selected={form?.group ?? ""}
              labels={(v) => (v === "" ? "every tenant" : `customer group ${v}`)}
            />
          </select>
        </label>
        <label for="t-expires">
          Expires after
          <select id="t-expires" name="expires">
            <Options values={TOKEN_EXPIRY_CHOICES} selected={form?.expires ?? "90"} labels={(v) => (v === "never" ? "never" : `${v} days`)} />
          </select>
        </label>
        <div>
          <button type="submit">Create token</button>
        </div>
      </PostForm>
    </>,
  );
}
