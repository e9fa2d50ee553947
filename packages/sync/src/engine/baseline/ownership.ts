/**
 * Ownership marks: every object a baseline creates carries, at the end of a description field
 * that MDE and Graph keep as written, a line naming the baseline (and, for a detection rule, its
 * key). The planner touches only objects with its own mark, unless the baseline says `adopt: true`.
 *
 * Why the description: indicators have no writable tag or external id on submit (mde-api.md §5.5:
 * `externalID` is in the entity but not in the submit body), and `createdBy` names the app, not the
 * baseline. A detection rule's mark is in its alert template's description, which Graph returns as sent.
 */

// A rule's key is at most 64 characters when given, but defaults to its display name (up to 256).
const MARK = /\n?\[mde-partner baseline=([A-Za-z0-9._-]{1,64})(?: rule=([^\]]{1,256}))?\]\s*$/;

/** An object's mark: the baseline that created it, and for a rule its key. */
export interface OwnerMark {
  readonly baseline: string;
  readonly rule?: string;
}

/** `text` with the mark appended on a line of its own. */
export function withMark(text: string, mark: OwnerMark): string {
  return `${stripMark(text)}\n[mde-partner baseline=${mark.baseline}${mark.rule !== undefined ? ` rule=${mark.rule}` : ""}]`;
}

/** The mark at the end of `text`, if any. */
export function readMark(text: string | null | undefined): OwnerMark | undefined {
  const m = typeof text === "string" ? MARK.exec(text) : null;
  if (!m) return undefined;
  return m[2] !== undefined ? { baseline: m[1]!, rule: m[2] } : { baseline: m[1]! };
}

/** `text` without its mark. */
export function stripMark(text: string): string {
  return text.replace(MARK, "");
}
