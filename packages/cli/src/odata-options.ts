/**
 * Filters from the command line: either a raw OData `$filter` (`--filter`),
 * checked for the mistakes that are certain before anything is sent, or the
 * friendly flags (`--severity`, `--status`, `--since`) built with the client's
 * typed filter builder (no string concatenation, STYLE.md habit 6).
 */
import {
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  ALERT_UPDATE_STATUSES,
  getOperation,
  type MdeRequest,
  type OperationName,
  PagedResult,
  type TenantClient,
} from "@mde-partner/client";
import { usageError } from "./errors.js";

export const SEVERITIES = ALERT_SEVERITIES;
/** The statuses `--status` filters on, listed as ever: the settable ones first, then Unknown. */
export const STATUSES = [...ALERT_UPDATE_STATUSES, ...ALERT_STATUSES.filter((s) => !ALERT_UPDATE_STATUSES.includes(s))];

/** Normalises enum values case-insensitively; a wrong one is bad input naming the choices. */
export function enumValues(flag: string, values: readonly string[] | undefined, allowed: readonly string[]): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.map((v) => {
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (!hit) throw usageError(`${flag} ${JSON.stringify(v)} is not one of ${allowed.join(", ")}`);
    return hit;
  });
}

/** `--since`: an ISO-8601 time, or a duration back from now (`90m`, `24h`, `7d`). */
export function parseSince(flag: string, value: string, now = Date.now()): Date {
  const rel = /^(\d+)(m|h|d)$/.exec(value.trim());
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2] === "m" ? 60_000 : rel[2] === "h" ? 3_600_000 : 86_400_000;
    return new Date(now - n * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw usageError(
    `${flag} must be an ISO-8601 time (2024-05-01T00:00:00Z) or a duration like 24h or 7d, got ${JSON.stringify(value.slice(0, 60))}`,
  );
}

/**
 * Checks a raw `$filter` for what is certainly wrong (empty, unbalanced quotes
 * or parentheses, control characters, absurd length). The service answers
 * anything else it dislikes with 400 ODataError, which is bad input too.
 */
export function checkRawFilter(filter: string): string {
  const text = filter.trim();
  if (text === "") throw usageError("--filter is empty");
  if (text.length > 4000) throw usageError("--filter is longer than 4000 characters");
  if (/[\u0000-\u001f]/.test(text)) throw usageError("--filter contains control characters");
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'") {
        if (text[i + 1] === "'") i++;
        else inString = false;
      }
    } else if (ch === "'") inString = true;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) break;
  }
  if (inString)
    throw usageError(
      "--filter has an unterminated string literal",
      "OData strings use single quotes; double a quote inside one ('O''Brien')",
    );
  if (depth !== 0) throw usageError("--filter has unbalanced parentheses");
  if (!/\b(eq|ne|gt|ge|lt|le|and|or|not|in|startswith|endswith|contains|any)\b/i.test(text)) {
    throw usageError(
      `--filter ${JSON.stringify(text.slice(0, 60))} has no OData operator`,
      "e.g. --filter \"status eq 'New' and severity eq 'High'\"",
    );
  }
  return text;
}

/** A list with a raw `$filter`, paged exactly like the typed lists (`$top`/`$skip`, same-origin next links). */
export function rawFilterList<T>(
  tenant: TenantClient,
  operation: OperationName,
  path: string,
  filter: string,
  top: number | undefined,
): PagedResult<T> {
  const spec = getOperation(operation);
  const request: Omit<MdeRequest, "url" | "signal"> = {
    method: "GET",
    path,
    operation,
    permissions: spec.permissions,
    idempotent: spec.idempotent,
    budget: spec.budget,
    query: { $filter: filter },
  };
  return new PagedResult<T>({
    transport: tenant.transport,
    request,
    mode: "skip",
    pageSize: 10_000,
    ...(top !== undefined ? { top } : {}),
  });
}
