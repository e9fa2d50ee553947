/**
 * Cross-tenant hunting results kept briefly per console instance, so the
 * results page can offer a CSV download of exactly what it showed (only to
 * the operator who ran the query).
 */
import { randomBytes } from "node:crypto";
import { csvRecord, type HuntResult } from "@mde-partner/sync";
import type { Clock } from "../options.js";

export interface StoredHunt {
  readonly id: string;
  readonly owner: string;
  readonly query: string;
  readonly tenantIds: readonly string[];
  readonly at: number;
  readonly result: HuntResult;
}

export interface HuntCache {
  put(owner: string, query: string, tenantIds: readonly string[], result: HuntResult): StoredHunt;
  get(id: string, owner: string): StoredHunt | undefined;
}

export function createHuntCache(clock: Clock, options: { max?: number; ttlMs?: number } = {}): HuntCache {
  const max = options.max ?? 20;
  const ttlMs = options.ttlMs ?? 30 * 60_000;
  const hunts = new Map<string, StoredHunt>();
  return {
    put(owner, query, tenantIds, result) {
      const now = clock.now();
      for (const [k, h] of hunts) if (now - h.at >= ttlMs) hunts.delete(k);
      while (hunts.size >= max) hunts.delete(hunts.keys().next().value as string);
      const hunt: StoredHunt = { id: randomBytes(12).toString("base64url"), owner, query, tenantIds: [...tenantIds], at: now, result };
      hunts.set(hunt.id, hunt);
      return hunt;
    },
    get(id, owner) {
      const hunt = hunts.get(id);
      if (!hunt || hunt.owner !== owner || clock.now() - hunt.at >= ttlMs) return undefined;
      return hunt;
    },
  };
}

/** The merged rows as CSV, columns in schema order. */
export function huntCsv(result: HuntResult): string {
  const columns = result.schema.map((c) => c.name);
  // csvField defuses a leading = + - @ so a spreadsheet does not run a cell as a formula.
  return [csvRecord(columns), ...result.rows.map((row) => csvRecord(columns.map((c) => row[c])))].join("");
}
