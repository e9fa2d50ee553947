/** Why a report could not be made. */
export type ReportErrorCode =
  /** The logo is not a PNG or a plain SVG, or it is too large. */
  | "ERR_REPORT_LOGO"
  /** The Chromium that prints PDFs is not installed (or not where it was said to be). */
  | "ERR_REPORT_CHROMIUM_MISSING"
  /** Chromium started but printing failed. */
  | "ERR_REPORT_PDF";

/** A report failure with a stable `code` (branch on it, not on the message). */
export class ReportError extends Error {
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ReportError";
  }
}
