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

const reduced = (text: string, max: number) =>
  text
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, max);

/**
 * A file name for a customer's report: the customer's name reduced to letters, digits, `.`, `_`
 * and `-` (tenant names are tenant data: no path separators, no leading dot), then `id` when
 * given (reduced the same way), then the month. Different names can reduce to the same file name
 * ("Contoso Ltd" and "Contoso, Ltd.", names in another script): the caller tells those apart by `id`.
 *
 * @example reportFileName("Contoso Ltd", "2026-11", "pdf") // "Contoso-Ltd-2026-11.pdf"
 * @example reportFileName("Contoso Ltd", "2026-11", "pdf", "6f0c1a2b") // "Contoso-Ltd-6f0c1a2b-2026-11.pdf"
 */
export function reportFileName(customer: string, month: string, format: "html" | "pdf", id?: string): string {
  const tag = id !== undefined ? reduced(id, 40) : "";
  return `${reduced(customer, 80) || "customer"}${tag ? `-${tag}` : ""}-${month}.${format}`;
}
