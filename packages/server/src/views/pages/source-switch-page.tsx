/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { SourceSwitchPreview, TenantOverview } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip } from "../clip.js";
import { Chip, PostForm } from "../components.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

/** The two APIs a tenant's alerts are read from (and whose permissions it grants). */
export const API_LABEL = { mde: "MDE API", graph: "Microsoft Graph" } as const;
/** The same in a sentence. */
const SOURCE_NAME = { mde: "the MDE API", graph: "Microsoft Graph" } as const;
/** What the switch does, said on the button: it changes where every later sync reads the tenant's alerts. */
const SWITCH_LABEL = { mde: "Use the MDE API as this tenant's alert source", graph: "Use Microsoft Graph as this tenant's alert source" } as const;

/** The tenant's alert source; admins get a link to the switch's confirmation step (nothing changes on this page). */
export function SourceCell({ session, row, from = "list" }: { session: Session; row: TenantOverview; from?: "list" | "detail" }) {
  const { tenant } = row;
  const current = (
    <Chip kind={`source-${tenant.alertSource}`} data-source={tenant.alertSource}>
      {API_LABEL[tenant.alertSource]}
    </Chip>
  );
  if (!roleAtLeast(session.role, "admin")) return current;
  const other = tenant.alertSource === "graph" ? "mde" : "graph";
  return (
    <>
      {current}{" "}
      <a class="button secondary" data-switch-source={other} href={`/tenants/${tenant.id}/source?to=${other}&from=${from}`}>
        {SWITCH_LABEL[other]}…
      </a>
    </>
  );
}

/**
 * The confirmation step of an alert-source switch: what changes (every later
 * sync of the tenant, from the console, the CLI or the workers, reads the other
 * API), what stays, what it needs, and a real submit button. No script: the
 * form posts `confirm=yes`, and a post without it changes nothing.
 */
export function confirmSourcePage(
  session: Session,
  preview: SourceSwitchPreview,
  from: "list" | "detail",
  error?: string,
): string {
  const { tenant, to } = preview;
  const name = text(clip(tenant.name));
  const back = from === "detail" ? `/tenants/${tenant.id}` : "/tenants";
  const commands = (
    <>
      (Sync now here, <code>mde-partner sync</code>, <code>sync --watch</code>, the demo and the workers)
    </>
  );
  const needed = text(preview.needed.join(", "));
  return layout(
    session,
    { title: `Use ${SOURCE_NAME[to]} as ${clip(tenant.name)}'s alert source?`, section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    <PostForm action={`/tenants/${tenant.id}/source`} session={session} class="card stack" id="confirm-source" data-source={to}>
      <input type="hidden" name="source" value={to} />
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="confirm" value="yes" />
      <p>
        {name} (<code>{text(tenant.id)}</code>) reads its alerts from the <strong>{API_LABEL[tenant.alertSource]}</strong> today. Switching changes that
        setting for everything that syncs this tenant:
      </p>
      <ul id="source-switch-effects">
        {to === "graph" ? (
          <li>
            Every later sync of {name} {commands} reads its alerts from <strong>Microsoft Graph</strong> (alerts_v2, the alerts Defender for Endpoint raised)
            instead of the MDE API, and reads its incidents too (the Incidents page).
          </li>
        ) : (
          <li>
            Every later sync of {name} {commands} reads its alerts from the <strong>MDE API</strong> instead of Microsoft Graph. Its incidents are no longer
            synced; those already stored stay.
          </li>
        )}
        <li>
          Nothing is read now: the next sync reads from the new source. Alerts already stored stay, under the same MDE ids, so none is duplicated or lost.
        </li>
        <li>
          Permissions it needs:{" "}
          {preview.needed.length === 0 ? (
            `nothing more on ${SOURCE_NAME[to]}.`
          ) : preview.missing === null ? (
            <>
              {needed} on {SOURCE_NAME[to]}; the tenant is not verified yet, so whether it granted them is unknown (verify it after switching).
            </>
          ) : preview.missing.length ? (
            <>
              {needed} on {SOURCE_NAME[to]}. <strong class="bad">Not granted at the last verification: {text(preview.missing.join(", "))}</strong>: its syncs
              will fail until the customer consents again.
            </>
          ) : (
            <>
              {needed} on {SOURCE_NAME[to]}, all granted at the last verification.
            </>
          )}
        </li>
        <li>You can switch back at any time on the Tenants page; the switch is in the audit log.</li>
      </ul>
      <div class="row">
        <button type="submit" id="confirm">Switch {name} to {SOURCE_NAME[to]}</button>
        <a href={text(back)} id="cancel">Cancel</a>
      </div>
    </PostForm>,
  );
}
