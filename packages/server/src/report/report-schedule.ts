/**
 * Monthly reports: which month is due and what its file is called. The CLI's `report schedule`
 * writes each customer's report for the last whole month into a folder once (an existing file
 * means done), so running it daily from cron, or with `--watch`, makes each report exactly once.
 */

/** The last whole calendar month (UTC) before `nowMs`: first and last day, `YYYY-MM-DD`. */
export function previousMonth(nowMs: number): { readonly from: string; readonly to: string; readonly month: string } {
  const now = new Date(nowMs);
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(first), to: day(last), month: day(first).slice(0, 7) };
}

/**
 * A file name for a customer's report: the customer's name reduced to letters, digits, `.`, `_`
 * and `-` (tenant names are tenant data: no path separators, no leading dot), then the month.
 *
 * @example reportFileName("Contoso Ltd", "2026-11", "pdf") // "Contoso-Ltd-2026-11.pdf"
 */
export function reportFileName(customer: string, month: string, format: "html" | "pdf"): string {
  const safe = customer
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 80);
  return `${safe || "customer"}-${month}.${format}`;
}
