/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Links from an alert's evidence to the entity pages: the file by hash, the
 * IP, the domain of a URL, the account. Evidence is the tenant's: a value
 * becomes a link only when it is a valid key of its kind, and the key is one
 * encoded path segment.
 */
import { type EntityKind, parseEntity } from "../../services/entities.js";
import { clip } from "../clip.js";
import { text } from "../html.js";
import { entityPath } from "./entity-page.js";
import { investigationPath } from "./investigations-page.js";

interface EvidenceKeys {
  sha1?: unknown;
  sha256?: unknown;
  ipAddress?: unknown;
  url?: unknown;
  accountName?: unknown;
}

const LABELS: Readonly<Record<EntityKind, string>> = { file: "file", ip: "IP", domain: "domain", user: "user" };

const keyOf = (kind: EntityKind, v: unknown): string | undefined => {
  if (typeof v !== "string" || v === "" || v.length > 2_048) return undefined;
  try {
    return parseEntity(kind, v);
  } catch {
    return undefined;
  }
};

/** The host of a URL evidence value (with or without a scheme), if it has one. */
function hostOf(url: unknown): string | undefined {
  if (typeof url !== "string" || url.length > 2_048) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).hostname;
  } catch {
    return undefined;
  }
}

/** The entity pages one evidence item leads to. */
export function evidenceTargets(e: EvidenceKeys): Array<{ kind: EntityKind; key: string }> {
  const out: Array<{ kind: EntityKind; key: string }> = [];
  const add = (kind: EntityKind, v: unknown) => {
    const key = keyOf(kind, v);
    if (key && !out.some((o) => o.kind === kind && o.key === key)) out.push({ kind, key });
  };
  add("file", e.sha1);
  if (!out.length) add("file", e.sha256);
  add("ip", e.ipAddress);
  add("domain", hostOf(e.url));
  add("user", e.accountName);
  return out;
}

/** Links to the entity pages of one evidence item (nothing when it names no entity). */
export function EvidenceLinks({ e }: { e: EvidenceKeys }) {
  const targets = evidenceTargets(e);
  if (!targets.length) return <>—</>;
  return (
    <>
      {targets.map((t, i) => (
        <>
          {i ? " · " : ""}
          <a href={text(entityPath(t.kind, t.key))} class="entity-link" data-kind={t.kind}>
            {LABELS[t.kind]}
          </a>
        </>
      ))}
    </>
  );
}

/** The alert's automated investigation (alerts carry `investigationId`), as a link; nothing without one. */
export function InvestigationLink({ tenantId, id }: { tenantId: string; id: unknown }) {
  const value = typeof id === "number" && Number.isSafeInteger(id) ? String(id) : typeof id === "string" && /^\d{1,20}$/.test(id) ? id : null;
  if (value === null) return null;
  return (
    <>
      <dt>Investigation</dt>
      <dd>
        <a href={text(investigationPath(tenantId, value))} id="investigation-link">{text(clip(value, 40))}</a>
      </dd>
    </>
  );
}
