// Shape comparison of emulator payloads with the documented examples (MDE and Graph).
import assert from "node:assert/strict";

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Compares `actual` with the documented `expected` recursively: every key of the
 * example must be present with the same JSON type (null on either side passes:
 * the examples print null for absent values); keys the example lacks must be in
 * `extras`. Arrays compare their first elements.
 */
export function assertShape(actual: unknown, expected: unknown, path: string, extras: ReadonlySet<string> = new Set()): void {
  const a = kind(actual);
  const e = kind(expected);
  if (a === "null" || e === "null") return;
  assert.equal(a, e, `${path}: JSON type ${a}, documented ${e}`);
  if (e === "array") {
    const [first] = actual as unknown[];
    const [doc] = expected as unknown[];
    if (first !== undefined && doc !== undefined) assertShape(first, doc, `${path}[0]`, extras);
    return;
  }
  if (e !== "object") return;
  const act = actual as Record<string, unknown>;
  const exp = expected as Record<string, unknown>;
  for (const key of Object.keys(exp)) {
    assert.ok(Object.hasOwn(act, key), `${path}.${key} is documented but missing`);
    assertShape(act[key], exp[key], `${path}.${key}`, extras);
  }
  for (const key of Object.keys(act)) {
    assert.ok(Object.hasOwn(exp, key) || extras.has(key), `${path}.${key} is not in the documented example`);
  }
}
