/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Notifications (admin on every tenant): each rule with what it matches, its
 * destinations (no URL path: a Slack or Teams URL is itself a credential), the
 * delivery log of each destination, and a button that sends a test message.
 * Rules are added with `mde-partner notify add`.
 */
import type { NotifyMessageRecord } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { Chip, PostForm, Table, Time } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

export interface NotificationDestinationView {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  /** Newest first. */
  readonly log: readonly NotifyMessageRecord[];
}

export interface NotificationRuleView {
  readonly name: string;
  readonly match: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly destinations: readonly NotificationDestinationView[];
}

export interface NotificationsPageData {
  readonly rules: readonly NotificationRuleView[];
  /** False when this console cannot send (started without the rule engine). */
  readonly canTest: boolean;
}

const summary = (m: NotifyMessageRecord) => {
  const body = m.body as { total?: number } | null;
  return m.kind === "digest" ? `digest of ${body?.total ?? "?"} alerts` : m.kind;
};

export function notificationsPage(session: Session, data: NotificationsPageData, flash?: PageOptions["flash"]): string {
  return layout(
    session,
    { title: "Notifications", section: "notifications", flash },
    <>
      <p class="muted">
        Rules are evaluated for alerts that arrive or change after the rule exists, by <code>sync</code>, <code>sync --watch</code>, <code>worker</code> and <code>serve</code>. Add one
        with <code>mde-partner notify add --name N --min-severity High --to teams:https://…</code>.
      </p>
      {data.rules.length === 0 ? <p id="no-rules" class="muted">No notification rules yet.</p> : ""}
      {data.rules.map((r) => (
        <section class="card stack" data-rule={text(r.name)}>
          <h2>{text(r.name)}</h2>
          <p>
            {text(r.match)} <span class="muted">· added <Time iso={r.createdAt} />{r.createdBy ? <> by {text(r.createdBy)}</> : ""}</span>
          </p>
          {data.canTest ? (
            <PostForm action={`/admin/notifications/${encodeURIComponent(r.name)}/test`} session={session}>
              <button type="submit" class="secondary">Send a test message</button>
            </PostForm>
          ) : (
            ""
          )}
          {r.destinations.map((d) => (
            <>
              <h3>{text(d.target)}</h3>
              <Table
                rows={d.log}
                row={(m) => ({ "data-destination": d.id, "data-status": m.status })}
                empty={<p class="muted">Nothing sent yet.</p>}
                columns={[
                  { head: "Created", cell: (m) => <Time iso={m.createdAt} /> },
                  { head: "Message", cell: (m) => summary(m) },
                  { head: "Status", cell: (m) => <Chip kind={`delivery-${m.status}`}>{m.status}</Chip> },
                  { head: "Attempts", cell: (m) => m.attempts, num: true },
                  { head: "Delivered", cell: (m) => <Time iso={m.deliveredAt} /> },
                  { head: "Last error", cell: (m) => text(m.lastError ?? "") },
                  { head: "Dedupe key", cell: (m) => <code>{text(m.dedupeKey)}</code> },
                ]}
              />
            </>
          ))}
        </section>
      ))}
    </>,
  );
}
