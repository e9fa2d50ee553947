/**
 * The request journal: what clients did, in order. Tests and benchmarks read it
 * (through the control API or in-process) to count token requests per tenant,
 * check that no tenant was synced twice at once, and so on.
 */
export type JournalKind = "token" | "api" | "graph" | "consent" | "signin" | "discovery" | "control" | "other";

export interface JournalEntry {
  seq: number;
  /** Epoch ms when the request arrived. */
  time: number;
  /** Epoch ms when the response was produced. */
  endTime: number;
  method: string;
  path: string;
  status: number;
  kind: JournalKind;
  /** Customer tenant: from the path for Entra routes, from the verified token for the API. */
  tenantId?: string;
  clientId?: string;
  /** Operation name for API calls (`ListAlerts`, `IsolateMachine`, …) or the grant for tokens. */
  operation?: string;
  /** Requested resource / audience for token requests. */
  resource?: string;
  /** Error code when the request failed (`AADSTS700016`, `TooManyRequests`, …). */
  error?: string;
  /** The caller's `User-Agent` (tells apart the processes of one app, e.g. several sync workers). */
  userAgent?: string;
}

export interface JournalQuery {
  afterSeq?: number;
  kind?: JournalKind;
  tenantId?: string;
  clientId?: string;
  /** Operation name (`ImportIndicators`, `CreateDetectionRule`), exact. */
  operation?: string;
  /** HTTP method, any casing. */
  method?: string;
  limit?: number;
}

/** The HTTP methods that change something: what "write calls" counts. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Write calls of one tenant, kind, operation and method (see `countWrites`). */
export interface WriteCount {
  tenantId: string | null;
  kind: JournalKind;
  operation: string | null;
  method: string;
  /** Every call, whatever its answer. */
  count: number;
  /** Of those, the ones answered with a 4xx or 5xx (429s included). */
  failed: number;
}

/**
 * Groups the write calls (POST, PUT, PATCH, DELETE) among `entries` by tenant,
 * kind, operation and method, in order of first appearance. A token request is
 * a POST but no write: only `api` and `graph` entries count unless `kinds` says
 * otherwise. Benchmarks and tests use it to check that a second run of an
 * idempotent job writes nothing.
 */
export function countWrites(entries: readonly JournalEntry[], kinds: readonly JournalKind[] = ["api", "graph"]): WriteCount[] {
  const groups = new Map<string, WriteCount>();
  for (const e of entries) {
    if (!WRITE_METHODS.has(e.method.toUpperCase()) || !kinds.includes(e.kind)) continue;
    const key = [e.tenantId ?? "", e.kind, e.operation ?? "", e.method.toUpperCase()].join("|");
    let g = groups.get(key);
    if (!g) {
      g = { tenantId: e.tenantId ?? null, kind: e.kind, operation: e.operation ?? null, method: e.method.toUpperCase(), count: 0, failed: 0 };
      groups.set(key, g);
    }
    g.count++;
    if (e.status >= 400) g.failed++;
  }
  return [...groups.values()];
}

export interface Journal {
  add(entry: Omit<JournalEntry, "seq">): JournalEntry;
  list(query?: JournalQuery): JournalEntry[];
  /** Highest sequence number handed out so far (0 when empty). */
  lastSeq(): number;
  clear(): void;
}

export function createJournal(capacity = 200_000): Journal {
  let entries: JournalEntry[] = [];
  let seq = 0;
  return {
    add(entry) {
      const full = { ...entry, seq: ++seq };
      entries.push(full);
      if (entries.length > capacity) entries = entries.slice(entries.length - Math.floor(capacity * 0.9));
      return full;
    },
    list(query = {}) {
      const out: JournalEntry[] = [];
      for (const e of entries) {
        if (query.afterSeq !== undefined && e.seq <= query.afterSeq) continue;
        if (query.kind && e.kind !== query.kind) continue;
        if (query.tenantId && e.tenantId?.toLowerCase() !== query.tenantId.toLowerCase()) continue;
        if (query.clientId && e.clientId !== query.clientId) continue;
        if (query.operation && e.operation !== query.operation) continue;
        if (query.method && e.method.toUpperCase() !== query.method.toUpperCase()) continue;
        out.push(e);
        if (query.limit !== undefined && out.length >= query.limit) break;
      }
      return out;
    },
    lastSeq: () => seq,
    clear() {
      entries = [];
    },
  };
}
