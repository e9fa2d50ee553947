/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Live response on a device: the form (a library script, its arguments, a
 * file to collect), the review that confirms exactly what will be sent, and
 * the action's page with each command's progress and, once it is final, the
 * script transcripts and the collected file's download.
 *
 * Script output is the device's, so the tenant's: it is escaped like every
 * tenant value, and control characters (terminal escapes, NUL, bidi
 * overrides) are shown as visible symbols instead of being passed on.
 */
import type { LibraryFile, LiveResponseCommand } from "@mde-partner/client";
import type { StoredMachine, StoredMachineAction, TenantRecord } from "@mde-partner/sync";
import { isFinalStatus } from "../../services/devices.js";
import { type CommandProgress, LIVE_RESPONSE_LIMITS, type TranscriptResult } from "../../services/live-response.js";
import type { Section } from "../../services/tenant-reads.js";
import { checkWrite, missingPermissionText } from "../../services/write-permissions.js";
import type { Session } from "../../sessions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip } from "../clip.js";
import { PostForm, Time } from "../components.js";
import { text, visibleControls } from "../html.js";
import { layout, type PageOptions } from "../layout.js";
import { ActionStatus } from "./devices-page.js";
import { sectionOf, value } from "./entity-parts.js";

const device = (d: StoredMachine) => `/devices/${d.tenantId}/${d.id}`;

export interface LiveResponseValues {
  readonly script: string;
  readonly args: string;
  readonly path: string;
  readonly comment: string;
}

/** On the device page: its logged-on users and investigations (everyone), and live response (responders whose tenant granted it). */
export function DeviceLiveLinks({ session, machine, tenant }: { session: Session; machine: StoredMachine; tenant: TenantRecord | null }) {
  const check = checkWrite(tenant, "RunLiveResponse");
  const responder = roleAtLeast(session.role, "responder");
  return (
    <ul class="row plain-list" id="device-live-links">
      <li>
        <a href={text(`${device(machine)}/users`)} id="logon-users-link">Logged-on users</a>
      </li>
      <li>
        <a href={text(`/investigations?tenant=${machine.tenantId}&machine=${machine.id}`)} id="device-investigations-link">Investigations</a>
      </li>
      {responder && check.allowed && (
        <li>
          <a class="button secondary" href={text(`${device(machine)}/live-response`)} id="live-response-link">Live response</a>
        </li>
      )}
      {responder && !check.allowed && <li class="warn">{text(missingPermissionText(check, "Live response"))}</li>}
    </ul>
  );
}

/** Step 1: choose what to run. */
export function liveResponseFormPage(
  session: Session,
  m: { machine: StoredMachine; library: Section<readonly LibraryFile[]>; values: LiveResponseValues; error?: string | undefined },
  status?: PageOptions["flash"],
): string {
  const d = m.machine;
  const name = visibleControls(clip(d.computerDnsName ?? d.id));
  return layout(
    session,
    { title: `Live response: ${name}`, section: "devices", flash: m.error ? { kind: "error", text: m.error } : status },
    <>
      <p>
        Runs a script from the tenant's live response library on <strong>{text(name)}</strong> and/or collects a file from it. You review
        the commands before anything is sent.
      </p>
      <form class="card stack" method="get" action={text(`${device(d)}/live-response/review`)} id="live-response-form">
        {sectionOf(m.library, (files) => (
          <label for="lr-script">
            Library script
            <select id="lr-script" name="script">
              <option value="">(none: only collect a file)</option>
              {files.map((f) => (
                <option value={text(clip(String(f.fileName), 300))} selected={String(f.fileName) === m.values.script}>
                  {text(`${clip(String(f.fileName), 120)}${f.description ? ` — ${clip(String(f.description), 120)}` : ""}`)}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label for="lr-args">
          Arguments
          <input id="lr-args" name="args" maxlength={LIVE_RESPONSE_LIMITS.args} value={text(m.values.args)} />
        </label>
        <label for="lr-path">
          Collect a file (GetFile): full path
          <input id="lr-path" name="path" maxlength={LIVE_RESPONSE_LIMITS.path} placeholder="C:\Windows\Temp\triage.zip" value={text(m.values.path)} />
        </label>
        <div class="row">
          <button type="submit" id="review">Review</button>
          <a href={text(device(d))}>Cancel</a>
        </div>
      </form>
    </>,
  );
}

/** Step 2: exactly what will be sent, the required comment, and the real submit button. */
export function liveResponseReviewPage(
  session: Session,
  m: { machine: StoredMachine; commands: readonly LiveResponseCommand[]; values: LiveResponseValues; error?: string | undefined },
): string {
  const d = m.machine;
  const name = visibleControls(clip(d.computerDnsName ?? d.id));
  return layout(
    session,
    { title: `Run live response on ${name}?`, section: "devices", flash: m.error ? { kind: "error", text: m.error } : undefined },
    <PostForm action={`${device(d)}/live-response`} session={session} class="card stack" id="confirm-live-response">
      <p>
        These commands run on <strong>{text(name)}</strong> (<code>{text(d.id)}</code>) of tenant <code>{text(d.tenantId)}</code>, with the
        privileges of the Defender for Endpoint sensor. One live response session runs per device at a time.
      </p>
      <ol id="live-response-commands">
        {m.commands.map((c) => (
          <li>
            <strong>{text(c.type)}</strong> {text(c.params.map((p) => `${p.key}=${p.value}`).join(", "))}
          </li>
        ))}
      </ol>
      <input type="hidden" name="script" value={text(m.values.script)} />
      <input type="hidden" name="args" value={text(m.values.args)} />
      <input type="hidden" name="path" value={text(m.values.path)} />
      <label for="lr-comment">
        Comment (required: why, ticket number)
        <textarea id="lr-comment" name="comment" required maxlength={LIVE_RESPONSE_LIMITS.comment} rows={3}>
          {text(m.values.comment)}
        </textarea>
      </label>
      <div class="row">
        <button type="submit" class="danger" id="confirm">Confirm: run on {text(name)}</button>
        <a href={text(`${device(d)}/live-response`)}>Back</a>
      </div>
    </PostForm>,
  );
}

const param = (c: CommandProgress, key: string) => c.params.find((p) => p.key === key)?.value ?? "";

function Stream({ label, value: v, length, field }: { label: string; value: string; length: number; field: string }) {
  if (length === 0) return <p class="muted">{label}: none.</p>;
  const shown = visibleControls(v);
  return (
    <>
      <h4>{label}</h4>
      {length > v.length && (
        <p class="muted truncated">
          {v.length.toLocaleString("en-US")} of {length.toLocaleString("en-US")} characters shown; the raw transcript has them all.
        </p>
      )}
      <pre class="transcript" data-field={field}>{text(shown)}</pre>
    </>
  );
}

function CommandResult(props: {
  a: StoredMachineAction;
  c: CommandProgress;
  transcript: TranscriptResult | undefined;
  canDownload: boolean;
}) {
  const { a, c, transcript, canDownload } = props;
  const download = `/actions/${a.tenantId}/${encodeURIComponent(a.id)}/results/${c.index}`;
  return (
    <section class="card" data-command={String(c.index)} data-type={text(clip(c.type, 40))} data-status={text(clip(c.status, 40))}>
      <h3>
        {text(`${c.index + 1}. ${clip(c.type, 40)}`)} <small class="muted">{text(clip(c.status, 40))}</small>
      </h3>
      <p>
        {text(visibleControls(clip(c.params.map((p) => `${p.key}=${p.value}`).join(", "), 1_200)))}
        {c.startTime ? (
          <>
            {" "}
            <small class="muted">
              <Time iso={c.startTime} /> → <Time iso={c.endTime} />
            </small>
          </>
        ) : (
          ""
        )}
      </p>
      {c.errors.length > 0 && (
        <ul class="warn">
          {c.errors.map((e) => (
            <li>{text(visibleControls(clip(e, 1_000)))}</li>
          ))}
        </ul>
      )}
      {c.type === "RunScript" && transcript && !transcript.ok && <p class="warn">Transcript: {text(clip(transcript.message, 500))}</p>}
      {c.type === "RunScript" && transcript?.ok && (
        <div class="transcript-box" data-transcript={String(c.index)}>
          <p>
            Exit code <strong data-field="exit_code">{text(value(transcript.transcript.exitCode))}</strong>
            {transcript.transcript.scriptName ? <> — {text(visibleControls(clip(transcript.transcript.scriptName, 200)))}</> : ""}
            {canDownload && (
              <>
                {" "}
                · <a href={text(download)}>raw transcript</a>
              </>
            )}
          </p>
          <Stream label="Output" value={transcript.transcript.output} length={transcript.transcript.outputLength} field="script_output" />
          <Stream label="Errors" value={transcript.transcript.errors} length={transcript.transcript.errorsLength} field="script_errors" />
        </div>
      )}
      {c.type === "GetFile" && c.status === "Completed" && (
        <p>
          {canDownload ? (
            <a href={text(download)} id={`download-${c.index}`} class="button secondary">
              Download {text(visibleControls(clip(param(c, "Path").split(/[\\/]/).pop() ?? "file", 120)))}
            </a>
          ) : (
            <span class="muted">The collected file can be downloaded by a responder.</span>
          )}
        </p>
      )}
    </section>
  );
}

/** A LiveResponse action: status (polled until final, then reloaded with the results), commands, transcripts, download. */
export function liveResponseActionPage(
  session: Session,
  m: {
    action: StoredMachineAction;
    deviceName: string | null;
    commands: readonly CommandProgress[];
    transcripts: ReadonlyMap<number, TranscriptResult>;
  },
  flash?: PageOptions["flash"],
): string {
  const a = m.action;
  const final = isFinalStatus(a.status);
  const poll = final
    ? { "data-final": "true" }
    : { "data-poll": text(`/api/v1/actions/${a.tenantId}/${a.id}`), "data-interval": "1000", "data-reload-when-final": "true" };
  const canDownload = roleAtLeast(session.role, "responder");
  return layout(
    session,
    { title: `Live response on ${visibleControls(clip(m.deviceName ?? a.machineId ?? "?"))}`, section: "devices", flash },
    <>
      <ActionStatus a={a} poll={poll} />
      <h2>Commands</h2>
      {final ? "" : <p class="muted">Results appear here when the session has finished.</p>}
      {m.commands.length ? (
        m.commands.map((c) => <CommandResult a={a} c={c} transcript={m.transcripts.get(c.index)} canDownload={canDownload && final} />)
      ) : (
        <p class="muted">The service reported no commands.</p>
      )}
      <p>
        <a href={text(`/actions/${a.tenantId}/${a.id}`)}>Refresh</a> · <a href={text(`/devices/${a.tenantId}/${a.machineId ?? ""}`)}>Back to the device</a>
      </p>
    </>,
  );
}
