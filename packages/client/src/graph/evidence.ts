/**
 * Narrowing alerts_v2 evidence by `@odata.type` (graph-security.md §4.5). The service writes the
 * type with a leading `#` (`#microsoft.graph.security.deviceEvidence`); the comparison also accepts
 * it without, and ignores case.
 */
import type { GraphAlertEvidence, GraphEvidenceKind, GraphEvidenceTypes } from "./models/evidence.js";

const PREFIX = "microsoft.graph.security.";

/** The last segment of an evidence's `@odata.type` (`deviceEvidence`), or undefined when it has none. */
export function evidenceKind(evidence: { readonly "@odata.type"?: unknown }): string | undefined {
  const type = evidence?.["@odata.type"];
  if (typeof type !== "string") return undefined;
  const bare = type.replace(/^#/, "");
  return bare.toLowerCase().startsWith(PREFIX) ? bare.slice(PREFIX.length) : bare;
}

/**
 * True when `evidence` is of the given kind, narrowing its type.
 *
 * @example
 * const devices = (alert.evidence ?? []).filter((e) => isEvidence(e, "deviceEvidence")).map((e) => e.mdeDeviceId);
 */
export function isEvidence<K extends GraphEvidenceKind>(evidence: GraphAlertEvidence, kind: K): evidence is GraphEvidenceTypes[K] {
  return evidenceKind(evidence)?.toLowerCase() === kind.toLowerCase();
}
