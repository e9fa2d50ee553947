/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Four-eyes approvals: what waits for a second person (who asked, what, when,
 * until when), with Approve and Reject for everyone but the requester, and the
 * requests decided lately with their outcome.
 */
import type { ApprovalRequest } from "@mde-partner/sync";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { Chip, PostForm, Table, Time } from "../components.js";
import { text } from "../html.js";
import { layout, type PageOptions } from "../layout.js";

export interface ApprovalsPageData {
  readonly requests: readonly ApprovalRequest[];
  /** Tenant names by id (a request names tenants by id). */
  readonly tenantNames: ReadonlyMap<string, string>;
  /** The operator may decide (a person, responder or more). */
  readonly canDecide: boolean;
}

/** One line of what a finished request's execution returned. */
function outcome(r: ApprovalRequest): string {
  const result = r.result as { created?: number; failed?: number; removed?: boolean; error?: string } | null;
  if (!result) return "—";
  if (typeof result.error === "string") return clip(result.error, 200) ?? "";
  if (typeof result.removed === "boolean") return result.removed ? "tenant removed" : "tenant was already gone";
  if (typeof result.created === "number") return `${result.created} action(s) created, ${result.failed ?? 0} failed`;
  return "—";
}

const tenantsOf = (r: ApprovalRequest, names: ReadonlyMap<string, string>) =>
  r.tenantIds.map((id) => (names.has(id) ? `${clip(names.get(id) ?? "", 60)} (${id})` : id)).join(", ");

export function approvalsPage(session: Session, data: ApprovalsPageData, flash?: PageOptions["flash"]): string {
  const pending = data.requests.filter((r) => r.status === "pending");
  const decided = data.requests.filter((r) => r.status !== "pending").slice(0, 50);
  return layout(
    session,
    { title: "Approvals", section: "approvals", flash },
    <>
      <p class="muted">
        Offboarding a tenant, and isolating or restricting many machines at once, wait here until a second responder or admin approves them.
        The requester cannot approve their own request; a request not decided in time expires.
      </p>
      <h2>Waiting for approval</h2>
      <Table
        id="pending-approvals"
        rows={pending}
        row={(r) => ({ "data-approval": r.id, "data-status": r.status })}
        empty={<p class="muted" id="no-pending">Nothing waits for approval.</p>}
        columns={[
          { head: "Request", cell: (r) => <code>{text(r.id)}</code> },
          { head: "What", cell: (r) => <>{text(clip(r.summary, 400))}</> },
          { head: "Tenants", cell: (r) => tenantsOf(r, data.tenantNames) },
          { head: "Asked by", cell: (r) => r.requestedBy },
          { head: "Asked", cell: (r) => <Time iso={r.requestedAt} /> },
          { head: "Expires", cell: (r) => <Time iso={r.expiresAt} /> },
          {
            head: "",
            cell: (r) =>
              r.requestedBy === session.user ? (
                <span class="muted">your request: another person decides</span>
              ) : data.canDecide ? (
                <>
                  <PostForm action={`/approvals/${encodeURIComponent(r.id)}/approve`} session={session}>
                    <button type="submit" data-approve={text(r.id)}>Approve and run</button>
                  </PostForm>
                  <PostForm action={`/approvals/${encodeURIComponent(r.id)}/reject`} session={session}>
                    <button type="submit" class="secondary" data-reject={text(r.id)}>Reject</button>
                  </PostForm>
                </>
              ) : (
                ""
              ),
          },
        ]}
      />
      <h2>Decided lately</h2>
      <Table
        id="decided-approvals"
        rows={decided}
        row={(r) => ({ "data-approval": r.id, "data-status": r.status })}
        empty={<p class="muted">No decisions yet.</p>}
        columns={[
          { head: "Request", cell: (r) => <code>{text(r.id)}</code> },
          { head: "What", cell: (r) => <>{text(clip(r.summary, 400))}</> },
          { head: "Asked by", cell: (r) => r.requestedBy },
          { head: "Status", cell: (r) => <Chip kind={`approval-${r.status}`}>{r.status}</Chip> },
          { head: "Decided by", cell: (r) => r.decidedBy ?? "—" },
          { head: "Decided", cell: (r) => <Time iso={r.decidedAt ?? (r.status === "expired" ? r.expiresAt : null)} /> },
          { head: "Outcome", cell: (r) => outcome(r) },
        ]}
      />
    </>,
  );
}
