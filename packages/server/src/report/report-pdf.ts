/**
 * The report printed to PDF by headless Chromium — the Debian `/usr/bin/chromium` the console's
 * browser tests drive, through playwright-core (no browser download). The page is loaded with
 * JavaScript off and every network request refused: the HTML is self-contained, and a tenant
 * value that slipped through as markup still fetches nothing.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReportError } from "./report-error.js";

/** Where Debian's chromium package puts the browser. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** Options of {@link printReportPdf}. */
export interface PrintOptions {
  /** The Chromium (or Chrome) executable. Default `/usr/bin/chromium`. */
  readonly chromiumPath?: string;
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Prints `html` (from `renderReportHtml`) to an A4 PDF and resolves with its bytes. Rejects with
 * `ReportError` `ERR_REPORT_CHROMIUM_MISSING` when there is no Chromium at the path, and
 * `ERR_REPORT_PDF` when printing failed.
 *
 * @example
 * writeFileSync("contoso.pdf", await printReportPdf(renderReportHtml(data)));
 */
export async function printReportPdf(html: string, options: PrintOptions = {}): Promise<Uint8Array> {
  const executablePath = options.chromiumPath ?? DEFAULT_CHROMIUM;
  const timeout = options.timeoutMs ?? 60_000;
  if (!existsSync(executablePath)) {
    throw new ReportError(
      "ERR_REPORT_CHROMIUM_MISSING",
      `no Chromium at ${executablePath} to print the PDF: install Debian's chromium package (apt-get install chromium), point --chromium at a Chrome or Chromium, or make the report as --format html`,
    );
  }
  const { chromium } = await import("playwright-core");
  const userDataDir = mkdtempSync(join(tmpdir(), "mde-report-chromium-"));
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      javaScriptEnabled: false,
      offline: true,
      timeout,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load", timeout });
    const pdf = await page.pdf({
      format: "A4",
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: "<span></span>",
      footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;color:#777"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      margin: { top: "14mm", bottom: "16mm", left: "12mm", right: "12mm" },
    });
    return new Uint8Array(pdf);
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError("ERR_REPORT_PDF", `Chromium could not print the report: ${String((error as Error)?.message ?? error).split("\n")[0]}`, { cause: error });
  } finally {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
