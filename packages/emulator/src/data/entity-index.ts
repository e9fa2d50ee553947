import type { EmulatorState } from "../core/state.js";

/** One appearance of an entity in an alert's evidence. */
export interface Sighting {
  alertId: string;
  machineId: string;
  /** Evidence creation time (or the alert's creation time), epoch ms. */
  ms: number;
}

/** What the tenant knows about one entity: the alerts whose evidence holds it, in insertion order. */
export interface EntityFacts {
  /** The entity as the evidence first spelled it (domains and users are looked up case-insensitively). */
  readonly display: string;
  readonly alertIds: Set<string>;
  readonly sightings: Sighting[];
}

/** A file seen in File or Process evidence (mde-api.md §6.1.1, §6.7). */
export interface FileFacts extends EntityFacts {
  readonly sha1: string;
  sha256: string | null;
  /** File name and folder per sighting (the evidence's `fileName`, `filePath`). */
  readonly names: Array<{ name: string; folder: string }>;
  /** Threat names of the alerts that hold the file (drives `determinationType`). */
  readonly threats: Set<string>;
}

/** A user seen as User evidence or as an alert's `relatedUser`; keyed by account name (user.md takes the name, not the UPN). */
export interface UserFacts extends EntityFacts {
  domain: string;
  sid: string | null;
}

/** The entity index of one tenant: built from alerts' evidence, extended by alert `seq`. */
export interface TenantEntityIndex {
  lastSeq: number;
  readonly files: Map<string, FileFacts>;
  readonly sha256ToSha1: Map<string, string>;
  readonly ips: Map<string, EntityFacts>;
  readonly domains: Map<string, EntityFacts>;
  readonly users: Map<string, UserFacts>;
}

interface AlertRow {
  seq: number;
  id: string;
  machine_id: string | null;
  alert_creation_time: string;
  json: string;
  evidence: string;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function timeOf(text: string, fallback: number): number {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : fallback;
}

/** The host of an evidence URL, lowercased; none for URLs without one (a hostile tenant's `javascript:` evidence). */
export function hostOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const host = new URL(url).hostname.toLowerCase();
  return host === "" ? undefined : host;
}

function add<T extends EntityFacts>(map: Map<string, T>, key: string, make: () => T, sighting: Sighting): T {
  let facts = map.get(key);
  if (!facts) {
    facts = make();
    map.set(key, facts);
  }
  facts.alertIds.add(sighting.alertId);
  facts.sightings.push(sighting);
  return facts;
}

function indexAlert(index: TenantEntityIndex, row: AlertRow): void {
  let alert: Record<string, unknown>;
  let evidence: unknown;
  try {
    alert = JSON.parse(row.json) as Record<string, unknown>;
    evidence = JSON.parse(row.evidence);
  } catch {
    return;
  }
  const machineId = row.machine_id ?? "";
  const created = timeOf(row.alert_creation_time, 0);
  const threat = str(alert.threatName) || str(alert.threatFamilyName);
  const items = Array.isArray(evidence) ? (evidence as Array<Record<string, unknown>>) : [];
  for (const e of items) {
    const sighting: Sighting = { alertId: row.id, machineId, ms: timeOf(str(e.evidenceCreationTime), created) };
    const type = str(e.entityType);
    const sha1 = str(e.sha1).toLowerCase();
    if (sha1 && (type === "File" || type === "Process")) {
      const sha256 = str(e.sha256).toLowerCase() || null;
      const facts = add(
        index.files,
        sha1,
        () => ({ display: sha1, sha1, sha256, alertIds: new Set<string>(), sightings: [], names: [], threats: new Set<string>() }),
        sighting,
      );
      facts.sha256 ??= sha256;
      if (sha256) index.sha256ToSha1.set(sha256, sha1);
      facts.names.push({ name: str(e.fileName), folder: str(e.filePath) });
      if (threat) facts.threats.add(threat);
    }
    const ip = str(e.ipAddress);
    if (ip) add(index.ips, ip.toLowerCase(), () => ({ display: ip, alertIds: new Set<string>(), sightings: [] }), sighting);
    const host = hostOf(str(e.url));
    if (host) add(index.domains, host, () => ({ display: host, alertIds: new Set<string>(), sightings: [] }), sighting);
    const account = type === "User" ? str(e.accountName) : "";
    if (account) {
      const user = add(
        index.users,
        account.toLowerCase(),
        () => ({ display: account, domain: str(e.domainName), sid: str(e.userSid) || null, alertIds: new Set<string>(), sightings: [] }),
        sighting,
      );
      user.sid ??= str(e.userSid) || null;
    }
  }
  // The alert's own user counts too: relatedUser names the account the alert is about (alerts.md).
  const related = alert.relatedUser as { userName?: unknown; domainName?: unknown } | null | undefined;
  const name = str(related?.userName);
  if (name) {
    const key = name.toLowerCase();
    const known = index.users.get(key);
    if (!known?.alertIds.has(row.id)) {
      add(
        index.users,
        key,
        () => ({ display: name, domain: str(related?.domainName), sid: null, alertIds: new Set<string>(), sightings: [] }),
        { alertId: row.id, machineId, ms: created },
      );
    }
  }
}

// Per emulator instance, so two emulators never share an index.
const cacheByState = new WeakMap<EmulatorState, Map<string, TenantEntityIndex>>();

/**
 * The tenant's file, IP, domain and user index. Built on first lookup from the
 * alerts' evidence and brought up to date on every later one by reading only
 * the alerts inserted since (by `seq`), so alerts added in live mode or by
 * CreateAlertByReference are included without slowing tenant generation or
 * the alert insert path. Evidence never changes after insertion and alerts are
 * never deleted, so nothing indexed goes stale.
 */
export function entityIndex(state: EmulatorState, tenantId: string): TenantEntityIndex {
  let cache = cacheByState.get(state);
  if (!cache) {
    cache = new Map();
    cacheByState.set(state, cache);
  }
  let index = cache.get(tenantId);
  if (!index) {
    index = { lastSeq: 0, files: new Map(), sha256ToSha1: new Map(), ips: new Map(), domains: new Map(), users: new Map() };
    cache.set(tenantId, index);
  }
  const rows = state.db
    .prepare("SELECT seq, id, machine_id, alert_creation_time, json, evidence FROM alerts WHERE tenant_id = ? AND seq > ? ORDER BY seq")
    .iterate(tenantId, index.lastSeq) as IterableIterator<AlertRow>;
  for (const row of rows) {
    indexAlert(index, row);
    index.lastSeq = row.seq;
  }
  return index;
}
