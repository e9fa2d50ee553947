/** Why a request body is not a JSON object: it is empty, it is not JSON, or it is JSON of another kind. */
export type JsonBodyProblem = "empty" | "syntax" | "shape";

/**
 * Parses a request body that must be a JSON object; on failure returns the
 * problem, which each API words in its own error body.
 */
export function parseJsonObject(text: string): Record<string, unknown> | JsonBodyProblem {
  if (text.trim() === "") return "empty";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "syntax";
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : "shape";
}
