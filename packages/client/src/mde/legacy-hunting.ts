/**
 * The retirement notice of legacy advanced hunting. The MDE endpoint `POST /api/advancedqueries/run`
 * (and XDR's `/api/advancedhunting/run`) "will stop returning data on February 1, 2027"
 * (graph-security.md §1: GRAPH security-api-overview.md "Migrate from the older APIs";
 * MDE run-advanced-query-api.md, Message Center MC1220762). Its successor is Graph `runHuntingQuery`.
 */
import type { Logger } from "../logger.js";

/** The day the legacy hunting endpoints stop returning data. */
export const LEGACY_HUNTING_RETIREMENT_DATE = "2027-02-01";

/** `code` of the process warning (stable: filter on it, e.g. `process.on("warning", …)`). */
export const LEGACY_HUNTING_WARNING_CODE = "MDE_PARTNER_LEGACY_HUNTING";

/** The warning's text. */
export const LEGACY_HUNTING_WARNING_MESSAGE =
  `The legacy MDE advanced hunting API (POST /api/advancedqueries/run) stops returning data on ${LEGACY_HUNTING_RETIREMENT_DATE}. ` +
  "Use Microsoft Graph runHuntingQuery instead (tenant.hunt(query) or tenant.graph.hunting.run(query); permission ThreatHunting.Read.All).";

/**
 * Returns a function that warns once — through the logger and `process.emitWarning` (type
 * `DeprecationWarning`, code {@link LEGACY_HUNTING_WARNING_CODE}) — however often it is called.
 * One per partner client: the state lives in the closure, not in the module.
 */
export function createLegacyHuntingWarning(
  logger: Logger,
  emit: (message: string, options: { type: string; code: string }) => void = (message, options) => process.emitWarning(message, options),
): () => void {
  let warned = false;
  return () => {
    if (warned) return;
    warned = true;
    logger.warn(
      { event: "hunting.legacy", retiresOn: LEGACY_HUNTING_RETIREMENT_DATE, code: LEGACY_HUNTING_WARNING_CODE },
      LEGACY_HUNTING_WARNING_MESSAGE,
    );
    emit(LEGACY_HUNTING_WARNING_MESSAGE, { type: "DeprecationWarning", code: LEGACY_HUNTING_WARNING_CODE });
  };
}
