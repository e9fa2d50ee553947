/**
 * The SQLite reader thread reads an alert page's body straight into packed rows
 * (alert-page-scan.ts) where it can, and through JSON.parse and `toRow` where it cannot. Either
 * way a page must come out exactly as the general path makes it: the same packed bytes and cells,
 * the same place in its pass, the same error. Pages in the API's own shape must take the scanner.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CursorPosition } from "@mde-partner/sync";
import { type AlertPageBody, readPage, readPagePacked } from "../src/store/alert-page-body.js";
import { ALERT_FIELDS, decodeAlertPayload } from "../src/store/alert-payload.js";
import { scanAlertPage } from "../src/store/alert-page-scan.js";
import { forEachPackedRow, PACKED_COLUMNS, type PackedRows, packRows } from "../src/store/alert-row-pack.js";
import { isoToUs } from "../src/store/time.js";

const NOW = "2024-03-02T12:00:00.000Z";
const START: CursorPosition = { value: "2024-03-01T10:00:00Z", seenIds: ["older"] };

// A fixed sequence (a linear congruential generator), so a failure can be replayed.
let seed = 7;
const next = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const pick = <T>(values: readonly T[]): T => values[next(values.length)]!;

const TEXTS = ["", "plain", "Mixed Case TITLE", "Zürich ☃", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🛡️", 'quote " and \\ backslash', "line\nbreak\ttab\r\b\f", " İstanbul ǅ ΣΑΣ", "\u2028\u007f", "toString"];
const time = () =>
  `20${10 + next(20)}-0${1 + next(9)}-1${next(9)}T1${next(9)}:${10 + next(50)}:${10 + next(50)}${pick(["", ".5", ".1234567", ".000001"])}Z`;
const nested = (depth: number): unknown =>
  depth === 0
    ? pick<unknown>([pick(TEXTS), next(1000) - 500, null, true, false])
    : pick<unknown>([[], {}, [nested(depth - 1), nested(depth - 1)], { entityType: pick(TEXTS), sha1: null, count: next(99), inner: nested(depth - 1) }]);

/** An alert in the documented shape (every field, in order) with values of every kind the scanner copies. */
function apiAlert(i: number): Record<string, unknown> {
  const values: Record<string, () => unknown> = {
    id: () => pick([`da${i}_${next(1e6)}`, `Zü${i}`, `x"${i}`]),
    incidentId: () => pick<unknown>([next(1e9), -next(99), 0, null, "", `inc${i}`, 999_999_999_999_999]),
    severity: () => pick<unknown>(["High", "Medium", "Low", "Informational", "UnSpecified", "toString", "constructor", null, 3]),
    status: () => pick<unknown>(["New", "InProgress", "Resolved", null, 1]),
    classification: () => pick<unknown>([null, "TruePositive", "Unknown"]),
    assignedTo: () => pick<unknown>([null, "secops@contoso.com", "", true]),
    machineId: () => pick<unknown>([null, "1e5bc9d7e413ddd7902c2932e418702b84d0cc07", "Zürich-☃-𝔘"]),
    title: () => pick<unknown>([...TEXTS, null, 42, ["not", "text"]]),
    alertCreationTime: () => pick<unknown>([time(), null]),
    lastUpdateTime: () => pick<unknown>([time(), time(), null]),
    evidence: () => [nested(3), nested(2)],
    comments: () => pick<unknown>([[], [{ comment: pick(TEXTS), createdBy: "a@b.c", createdTime: time() }]]),
    mitreTechniques: () => pick<unknown>([[], ["T1059", "T1059.001"]]),
  };
  return Object.fromEntries(ALERT_FIELDS.map((f) => [f, f in values ? values[f]!() : pick<unknown>([pick(TEXTS), null, next(50), []])]));
}

const page = (body: Uint8Array | string, pageSize = 100): AlertPageBody => ({
  tenantId: "00000000-0000-4000-8000-000000000001",
  body: typeof body === "string" ? new Uint8Array(Buffer.from(body)) : body,
  pageSize,
  previous: START,
  newest: START,
  runStartMs: Date.parse(NOW),
});
const text = (value: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ "@odata.context": "https://api.security.microsoft.com/api/$metadata#Alerts", value, ...extra });

const cellsOf = (p: PackedRows) => [...p.cells];
/** What a read gives, comparable: the packed bytes and cells, the page's place, or the error. */
function outcome(read: () => { packed: PackedRows; duplicates: number; position: unknown; place: unknown }) {
  try {
    const r = read();
    return { bytes: Buffer.from(r.packed.bytes).toString("base64"), cells: cellsOf(r.packed), duplicates: r.duplicates, position: r.position, place: r.place };
  } catch (error) {
    const e = error as { code?: string; message: string };
    return { code: e.code, message: e.message };
  }
}
const general = (p: AlertPageBody) =>
  outcome(() => {
    const { rows, ...read } = readPage(p, NOW);
    return { ...read, packed: packRows(rows) };
  });
const packed = (p: AlertPageBody) => outcome(() => readPagePacked(p, NOW));
const scanned = (p: AlertPageBody) => scanAlertPage(p.body, isoToUs(NOW));

describe("alert pages scanned into packed rows", () => {
  it("pages in the API's shape take the scanner and give the general path's rows byte for byte", () => {
    for (let p = 0; p < 60; p++) {
      const alerts = Array.from({ length: 1 + next(40) }, (_, i) => apiAlert(p * 100 + i));
      // Ids made unique (an id twice takes the general path, tested below).
      alerts.forEach((a, i) => (a.id = `${String(a.id)}-${i}`));
      const extra = p % 3 === 0 ? { "@odata.nextLink": `https://api.security.microsoft.com/api/alerts?$skip=${p}` } : {};
      const body = page(text(alerts, extra), p % 2 ? alerts.length : 100);
      assert.notEqual(scanned(body), null, `page ${p} was scanned`);
      assert.deepEqual(packed(body), general(body), `page ${p}`);
    }
  });

  it("reads the emptiest pages and the page around its value the same", () => {
    const one = apiAlert(1);
    for (const body of [
      text([]),
      `\ufeff${text([one])}`,
      ` \n\t{ "value" : [ ${JSON.stringify(one)} ] , "@odata.nextLink" : "https:\\/\\/api.securitycenter.microsoft.com\\/api\\/alerts?$skip=1" } \r\n`,
      text([one], { "@odata.nextLink": 42 }),
      JSON.stringify({ value: [one], "@odata.nextLink": "first", "@odata.count": [1, { a: null }] }).replace("}", ',"@odata.nextLink":"second"}'),
      `{"val\\u0075e":[${JSON.stringify(one)}]}`,
    ]) {
      assert.notEqual(scanned(page(body)), null, body.slice(0, 60));
      assert.deepEqual(packed(page(body)), general(page(body)), body.slice(0, 60));
    }
  });

  it("alerts in any other form are read by the general path, and the page comes out the same", () => {
    const base = () => Array.from({ length: 6 }, (_, i) => ({ ...apiAlert(i), id: `a${i}`, lastUpdateTime: `2024-03-01T10:00:0${i}Z` }));
    const swap = (s: string, from: string, to: string) => {
      assert.ok(s.includes(from), `the test's text holds ${from}`);
      return s.replace(from, to);
    };
    const cases: Record<string, (alerts: Array<Record<string, unknown>>) => string> = {
      "pretty-printed": (a) => JSON.stringify({ value: a }, null, 2),
      "fields in another order": (a) => text([a[0], Object.fromEntries(Object.entries(a[1]!).reverse()), a[2]]),
      "a field the documentation does not name": (a) => text([{ ...a[0], surprise: { x: 1 } }, a[1]]),
      "a documented field missing": (a) => text([a[0], Object.fromEntries(Object.entries(a[1]!).filter(([k]) => k !== "comments"))]),
      "a fraction and an exponent": (a) => swap(swap(text([{ ...a[0], incidentId: 1.5 }, { ...a[1], evidence: [2.25, 1e21] }]), "2.25", "2.250"), "1e+21", "1E21"),
      "integers past 15 digits, and -0": (a) => swap(text([{ ...a[0], incidentId: 1234567890123456 }, { ...a[1], evidence: [7] }]), "[7]", "[-0]"),
      "\\u and \\/ escapes": (a) => swap(swap(text([{ ...a[0], title: "Tab A" }, { ...a[1], description: "x/y" }]), "Tab A", "T\\u0061b \\u0041"), "x/y", "x\\/y"),
      "an escaped key": (a) => swap(text([a[0]]), '"severity"', '"sev\\u0065rity"'),
      "a key that differs in its first or last letter": (a) => swap(swap(text([{ ...a[0], severity: "High", status: "New" }, { ...a[1], severity: "Low" }]), '"status"', '"Status"'), '"severity":"Low"', '"severitY":"Low"'),
      "an id twice (the newest kept)": (a) => text([a[0], { ...a[1], id: "a0", lastUpdateTime: "2024-03-01T09:00:00Z" }, { ...a[2], id: "a0", lastUpdateTime: "2024-03-01T11:00:00Z" }]),
      "nesting deeper than the scanner follows": (a) => text([{ ...a[0], evidence: JSON.parse("[".repeat(200) + "]".repeat(200)) as unknown }]),
      "an escaped id, time and title": (a) => text([{ ...a[0], id: 'q"1', title: 'say "hi"', lastUpdateTime: "2024-03-01T10:00:00Z" }]),
    };
    // Not UTF-8: decoded with replacement characters, as before.
    const notUtf8 = Buffer.from(text([{ ...base()[0], title: "XY" }]));
    notUtf8[notUtf8.indexOf("XY")] = 0xff;
    const body = page(new Uint8Array(notUtf8));
    assert.equal(scanned(body), null);
    assert.deepEqual(packed(body), general(body), "not UTF-8");
    for (const [name, make] of Object.entries(cases)) {
      const body = page(make(base()));
      const g = general(body);
      assert.ok(!("code" in g), `${name}: a valid page (${JSON.stringify(g)})`);
      assert.deepEqual(packed(body), g, name);
    }
  });

  it("refuses what the general path refuses, with the same error, and only once the whole body is checked", () => {
    const a = (i: number, extra: Record<string, unknown> = {}) => ({ ...apiAlert(i), id: `r${i}`, ...extra });
    const bodies: Record<string, string | Uint8Array> = {
      "no id": text([a(0), a(1, { id: "" })]),
      "an id that is a number": text([a(0, { id: 7 })]),
      "an invalid time": text([a(0), a(1), a(2, { lastUpdateTime: "yesterday" }), a(3, { alertCreationTime: 5 })]),
      "an alert that is no object": text([a(0), null, 3]),
      "an invalid alert, then a body cut off": text([a(0, { id: "" }), a(1)]).slice(0, -10),
      "HTML": "<html><body>Service Unavailable</body></html>",
      "no value": JSON.stringify({ "@odata.context": "x" }),
      "a value that is no array": JSON.stringify({ value: { id: "x" } }),
      "value twice": `{"value":[${JSON.stringify(a(0))}],"value":"no"}`,
      "trailing text": `${text([a(0)])} extra`,
      "a raw control character in a string": text([a(0, { title: "bell" })]).replace("bell", "be\u0001ll"),
      "a raw tab in a string": text([a(0, { title: "tab" })]).replace("tab", "t\tab"),
      "a trailing comma": text([a(0)]).replace("]}", ",]}"),
      "a number with a leading zero": text([a(0, { incidentId: 5 })]).replace('"incidentId":5', '"incidentId":05'),
    };
    for (const [name, body] of Object.entries(bodies)) {
      const g = general(page(body));
      assert.ok("code" in g, `${name}: refused (${JSON.stringify(g).slice(0, 200)})`);
      assert.deepEqual(packed(page(body)), g, name);
    }
  });

  it("stores a nested object's repeated or numeric keys as the body has them, reading back as the general path's object", () => {
    const body = page(
      text([{ ...apiAlert(1), id: "k1", evidence: "EVIDENCE" }]).replace('"evidence":"EVIDENCE"', '"evidence":[{"b":1,"b":2,"9":"nine","a":{"x":1,"x":null}}]'),
    );
    assert.notEqual(scanned(body), null, "scanned");
    const payloads = (r: ReturnType<typeof outcome>) => {
      assert.ok("cells" in r);
      const rows: Array<Record<string, unknown>> = [];
      forEachPackedRow({ bytes: new Uint8Array(Buffer.from(r.bytes, "base64")), cells: new Float64Array(r.cells) }, (_bind, decode) => rows.push(decode().row as never));
      return rows.map((row) => decodeAlertPayload(row.payload as string, row as never));
    };
    const viaScanner = payloads(packed(body));
    assert.deepEqual(viaScanner, payloads(general(body)));
    assert.deepEqual((viaScanner[0]!.evidence as unknown[])[0], { 9: "nine", b: 2, a: { x: null } });
    assert.ok(PACKED_COLUMNS.includes("payload"));
  });
});
