/*
 * An alert page's body read straight into packed rows (alert-row-pack.ts), without turning it into
 * objects and back: the SQLite reader thread's way to read a page (alert-page-body.ts
 * `readPagePacked`). JSON.parse, building each row, JSON.stringify of each payload and encoding
 * every text cell as UTF-8 again were nearly all of that thread's time; an alert in the API's own
 * shape holds every cell and payload value as bytes already (bench/sync-script.bench.ts measures
 * the difference). No JSON library hands out the byte ranges of values, hence this scanner.
 *
 * It reads only what it can read exactly as the general path (JSON.parse, `toRow`,
 * `encodeAlertPayload`, `packRows`) would, and hands everything else to it:
 * - an alert with the documented fields in the documented order, written without whitespace, whose
 *   strings use no escapes but the ones JSON.stringify writes itself (\" \\ \n \r \t \b \f) and
 *   whose numbers are plain integers of at most 15 digits, is copied: its payload array is its
 *   values' bytes (the text JSON.stringify would give, except that a nested object's repeated or
 *   integer-like keys keep the body's order: the stored text still reads back as the same object);
 * - any other alert is parsed alone and goes through `toRow`, so it is stored and refused as before;
 * - a body that is not valid UTF-8, not valid JSON or not a page, a page with an id twice, or
 *   nesting deeper than this scanner follows: `null`, and the caller reads the page the general way
 *   (which gives the same error, or the same rows, as before).
 * An invalid alert's error is raised only once the whole body has been checked, as JSON.parse of
 * the whole body would have refused a body that is not JSON first.
 */
import { isUtf8 } from "node:buffer";
import { ALERT_FIELDS, COLUMN_FIELDS } from "./alert-payload.js";
import { RowPacker, type PackedRows } from "./alert-row-pack.js";
import { severityRank, toRow } from "./alert-rows.js";
import type { AlertInput } from "./records.js";
import { NO_TIME_US, type TimeParts, timeParts } from "./time.js";

/** A page read by the scanner: its packed rows, the id and lastUpdateTime of each alert (for the cursor), its next link. */
export interface ScannedPage {
  readonly packed: PackedRows;
  readonly items: ReadonlyArray<{ readonly id: string; readonly lastUpdateTime?: string | null }>;
  readonly nextLink: string | undefined;
}

const FIELD_COUNT = ALERT_FIELDS.length;
/** The fields a column holds (their values stay out of the payload unless they are numbers or objects). */
const COLUMNS = Int32Array.from(COLUMN_FIELDS);
const field = (name: string) => ALERT_FIELDS.indexOf(name);
const ID = field("id");
const INCIDENT = field("incidentId");
const ASSIGNED = field("assignedTo");
const SEVERITY = field("severity");
const STATUS = field("status");
const CLASSIFICATION = field("classification");
const TITLE = field("title");
const CREATED = field("alertCreationTime");
const UPDATED = field("lastUpdateTime");
const MACHINE = field("machineId");
/** Each field's key as it precedes its value: `"name":`. */
const KEYS = ALERT_FIELDS.map((k) => Buffer.from(`"${k}":`, "latin1"));
/**
 * The same keys four bytes at a time (little-endian words; the last word ends at the key's end,
 * overlapping the one before). Comparing the keys and copying short values a word at a time through
 * DataViews instead of byte by byte took the scan from 5.3 to 4.0 µs of CPU per alert (the
 * emulator's pages, 8 × 3,000 alerts read 30 times, three runs of each side in turn).
 */
const KEY_WORDS = KEYS.map((key) => {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const words: number[] = [];
  for (let k = 0; k + 4 <= key.length; k += 4) words.push(view.getUint32(k, true));
  if (key.length % 4 !== 0) words.push(view.getUint32(key.length - 4, true));
  return Uint32Array.from(words);
});
const SOURCE = Buffer.from("mde", "latin1");
/** How deep the scanner follows arrays and objects inside an alert (deeper: the general path). */
const MAX_DEPTH = 64;

// What a field's value is.
const STRING = 0; // a string without escapes: its bytes are its UTF-8
const ESCAPED = 1; // a string with escapes JSON.stringify writes too
const NULL = 2;
const NUMBER = 3; // a plain integer
const OTHER = 4; // true, false, an array or an object

/** Whether `bytes` holds a byte below 0x20, four at a time (a word has one when (w - 0x20202020) & ~w & 0x80808080 is not 0). */
function hasControl(bytes: Buffer): boolean {
  const length = bytes.length;
  let i = 0;
  for (; i < length && (bytes.byteOffset + i) % 4 !== 0; i++) if (bytes[i]! < 32) return true;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (length - i) >>> 2);
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (((w - 0x20202020) & ~w & 0x80808080) !== 0) return true;
  }
  for (i += words.length * 4; i < length; i++) if (bytes[i]! < 32) return true;
  return false;
}

// The scanner's state for the body being read (it runs to completion, one body at a time).
let b: Buffer = Buffer.alloc(0);
/** A view of no bytes, the DataViews' value between bodies. */
const NO_VIEW: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
/** The body as a DataView, to compare and copy it four bytes at a time. */
let bv = NO_VIEW;
let n = 0;
/** Whether the last string {@link canonicalString} read had an escape. */
let escaped = false;
/** Whether the body has no byte below 0x20 (so no string in it can hold one). */
let noControl = false;
/** The position of the next backslash at or after the last string read (n: none). */
let backslash = -1;
const starts = new Int32Array(FIELD_COUNT);
const ends = new Int32Array(FIELD_COUNT);
const kinds = new Uint8Array(FIELD_COUNT);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const skipSpace = (i: number) => {
  while (i < n && isSpace(b[i]!)) i++;
  return i;
};
const isLiteral = (i: number, text: string) => {
  for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return false;
  return true;
};

/** The end of the `null`, `true` or `false` at `i`, or -1. */
function literalEnd(i: number): number {
  const text = b[i] === 110 ? "null" : b[i] === 116 ? "true" : "false";
  return isLiteral(i, text) ? i + text.length : -1;
}

/**
 * The end of a string at `i` in the form JSON.stringify writes, or -1. Where the body has no byte
 * below 0x20 at all (the API's compact JSON), the closing quote is found by Buffer#indexOf and only
 * a string with a backslash is read byte by byte.
 */
function canonicalString(i: number): number {
  escaped = false;
  const bytes = b;
  if (noControl) {
    const quote = bytes.indexOf(34, i + 1);
    if (quote < 0) return -1;
    if (backslash < i) backslash = bytes.indexOf(92, i);
    if (backslash < 0) backslash = n;
    if (backslash > quote) return quote + 1;
  }
  i++;
  for (;;) {
    if (i >= n) return -1;
    const c = bytes[i]!;
    if (c === 34) return i + 1;
    if (c === 92) {
      const e = bytes[i + 1];
      // \" \\ \n \r \t \b \f
      if (e === 34 || e === 92 || e === 110 || e === 114 || e === 116 || e === 98 || e === 102) {
        escaped = true;
        i += 2;
        continue;
      }
      return -1;
    }
    if (c < 32) return -1;
    i++;
  }
}

/** The end of a plain integer of at most 15 digits at `i` (the text JSON.stringify writes for it), or -1. */
function canonicalInteger(i: number): number {
  let j = b[i] === 45 ? i + 1 : i;
  const first = j;
  if (b[j] === 48) {
    if (first !== i) return -1; // -0
    j++;
  } else {
    while (j < n && isDigit(b[j]!)) j++;
    if (j === first || j - first > 15) return -1;
  }
  const c = b[j];
  return c === 46 || c === 101 || c === 69 || (c !== undefined && isDigit(c)) ? -1 : j;
}

/** The end of a value at `i` written as JSON.stringify writes it (see the module's comment), or -1. */
function canonicalValue(i: number, depth: number): number {
  const c = b[i];
  if (c === 34) return canonicalString(i);
  if (c === 110 || c === 116 || c === 102) return literalEnd(i);
  if (c === 45 || (c !== undefined && isDigit(c))) return canonicalInteger(i);
  if (depth >= MAX_DEPTH) return -1;
  if (c === 123) {
    i++;
    if (b[i] === 125) return i + 1;
    for (;;) {
      if (b[i] !== 34) return -1;
      i = canonicalString(i);
      if (i < 0 || b[i] !== 58) return -1;
      i = canonicalValue(i + 1, depth + 1);
      if (i < 0) return -1;
      if (b[i] === 44) i++;
      else return b[i] === 125 ? i + 1 : -1;
    }
  }
  if (c === 91) {
    i++;
    if (b[i] === 93) return i + 1;
    for (;;) {
      i = canonicalValue(i, depth + 1);
      if (i < 0) return -1;
      if (b[i] === 44) i++;
      else return b[i] === 93 ? i + 1 : -1;
    }
  }
  return -1;
}

/** The end of any JSON string at `i`, or -1 when it is not one. */
function jsonString(i: number): number {
  i++;
  for (;;) {
    if (i >= n) return -1;
    const c = b[i]!;
    if (c === 34) return i + 1;
    if (c < 32) return -1;
    if (c === 92) {
      const e = b[i + 1];
      if (e === 117) {
        for (let k = i + 2; k < i + 6; k++) {
          const h = b[k];
          if (h === undefined || !(isDigit(h) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
        }
        i += 6;
        continue;
      }
      if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
        continue;
      }
      return -1;
    }
    i++;
  }
}

/** The end of any JSON number at `i`, or -1. */
function jsonNumber(i: number): number {
  if (b[i] === 45) i++;
  if (b[i] === 48) i++;
  else {
    const first = i;
    while (i < n && isDigit(b[i]!)) i++;
    if (i === first) return -1;
  }
  if (b[i] === 46) {
    const first = ++i;
    while (i < n && isDigit(b[i]!)) i++;
    if (i === first) return -1;
  }
  if (b[i] === 101 || b[i] === 69) {
    i++;
    if (b[i] === 43 || b[i] === 45) i++;
    const first = i;
    while (i < n && isDigit(b[i]!)) i++;
    if (i === first) return -1;
  }
  return i;
}

/** The end of any JSON value at `i` (whitespace inside allowed), or -1 when it is not one (or nests too deep to follow here). */
function jsonValue(i: number, depth: number): number {
  const c = b[i];
  if (c === 34) return jsonString(i);
  if (c === 110 || c === 116 || c === 102) return literalEnd(i);
  if (c === 45 || (c !== undefined && isDigit(c))) return jsonNumber(i);
  if (depth >= 512) return -1;
  if (c === 123) {
    i = skipSpace(i + 1);
    if (b[i] === 125) return i + 1;
    for (;;) {
      if (b[i] !== 34) return -1;
      i = jsonString(i);
      if (i < 0) return -1;
      i = skipSpace(i);
      if (b[i] !== 58) return -1;
      i = jsonValue(skipSpace(i + 1), depth + 1);
      if (i < 0) return -1;
      i = skipSpace(i);
      if (b[i] === 44) i = skipSpace(i + 1);
      else return b[i] === 125 ? i + 1 : -1;
    }
  }
  if (c === 91) {
    i = skipSpace(i + 1);
    if (b[i] === 93) return i + 1;
    for (;;) {
      i = jsonValue(i, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(i);
      if (b[i] === 44) i = skipSpace(i + 1);
      else return b[i] === 93 ? i + 1 : -1;
    }
  }
  return -1;
}

/** The string value of field `f` (a STRING or ESCAPED one). */
const stringOf = (f: number): string =>
  kinds[f] === STRING ? b.toString("utf8", starts[f]! + 1, ends[f]! - 1) : (JSON.parse(b.toString("utf8", starts[f]!, ends[f]!)) as string);
const isString = (f: number) => kinds[f] === STRING || kinds[f] === ESCAPED;

/**
 * Reads the alert at `i` in the documented shape into `kinds`/`starts`/`ends`, and checks what
 * `toRow` checks. The end of the alert, or -1 when the general path must read it.
 */
function scanAlert(i: number): number {
  i++;
  for (let f = 0; f < FIELD_COUNT; f++) {
    if (f > 0) {
      if (b[i] !== 44) return -1;
      i++;
    }
    const length = KEYS[f]!.length;
    if (i + length > n) return -1;
    const words = KEY_WORDS[f]!;
    const last = words.length - 1;
    for (let w = 0; w < last; w++) if (bv.getUint32(i + 4 * w, true) !== words[w]) return -1;
    if (bv.getUint32(i + length - 4, true) !== words[last]) return -1;
    i += length;
    starts[f] = i;
    const c = b[i];
    if (c === 34) {
      i = canonicalString(i);
      kinds[f] = escaped ? ESCAPED : STRING;
    } else if (c === 110) {
      i = isLiteral(i, "null") ? i + 4 : -1;
      kinds[f] = NULL;
    } else {
      i = canonicalValue(i, 0);
      kinds[f] = c === 45 || (c !== undefined && isDigit(c)) ? NUMBER : OTHER;
    }
    if (i < 0) return -1;
    ends[f] = i;
  }
  if (b[i] !== 125) return -1;
  // What toRow refuses, it refuses itself: an id that is no string or empty, a time that is none.
  if (!isString(ID) || ends[ID]! - starts[ID]! === 2) return -1;
  created = timeOf(CREATED);
  lastUpdateTime = kinds[UPDATED] === NULL ? null : isString(UPDATED) ? stringOf(UPDATED) : undefined;
  updated = lastUpdateTime === null ? NO_TIME : lastUpdateTime === undefined ? null : timeParts(lastUpdateTime);
  return created === null || updated === null ? -1 : i + 1;
}

const NO_TIME: TimeParts = { us: NO_TIME_US, sub: 0 };
/** The times of the alert {@link scanAlert} read, and its lastUpdateTime text. */
let created: TimeParts | null = null;
let updated: TimeParts | null = null;
let lastUpdateTime: string | null | undefined;
/** Field `f`'s time (null or absent: none), or null when it is not a time. */
const timeOf = (f: number): TimeParts | null => (kinds[f] === NULL ? NO_TIME : isString(f) ? timeParts(stringOf(f)) : null);

/** The packer the page's rows go to. */
let packer = new RowPacker(0, 0);

/** A DataView of the packer's buffer `out` (the one made last, while `out` is the same buffer). */
let outView = NO_VIEW;
let outViewOf: Buffer | undefined;
const viewOf = (out: Buffer): DataView<ArrayBufferLike> => {
  if (out !== outViewOf) {
    outViewOf = out;
    outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  return outView;
};

/** Copies the body's bytes [from, to) into `out` at `o` (short runs four bytes at a time); the offset after them. */
function copyBytes(out: Buffer, o: number, from: number, to: number): number {
  const src = b;
  if (to - from >= 64) return o + src.copy(out, o, from, to);
  const into = viewOf(out);
  const body = bv;
  let k = from;
  for (; k + 4 <= to; k += 4, o += 4) into.setUint32(o, body.getUint32(k, true), true);
  for (; k < to; k++) out[o++] = src[k]!;
  return o;
}

/** Appends the body's bytes [from, to) to the packer's text. */
function copy(from: number, to: number): void {
  packer.offset = copyBytes(packer.room(to - from), packer.offset, from, to);
}

/** A text cell of field `f`'s string value (null when it is not a string). */
function stringCell(f: number): void {
  const kind = kinds[f];
  if (kind === STRING) {
    const at = packer.offset;
    copy(starts[f]! + 1, ends[f]! - 1);
    packer.textSince(at);
  } else packer.text(kind === ESCAPED ? stringOf(f) : null);
}

/** The row of the alert {@link scanAlert} read, as `toRow` would make it, into the packer. */
function packAlert(ingestedUs: number): { id: string; lastUpdateTime: string | null } {
  const id = stringOf(ID);
  stringCell(ID);

  // The payload: [mask, the values not held by a column].
  let mask = 0;
  for (let c = 0; c < COLUMNS.length; c++) {
    const f = COLUMNS[c]!;
    if (kinds[f] !== NUMBER && kinds[f] !== OTHER) mask |= 1 << f;
  }
  let at = packer.offset;
  // The values and their commas take fewer bytes than the alert's text from its first value on.
  const out = packer.room(ends[FIELD_COUNT - 1]! - starts[0]! + 16);
  let o = at;
  out[o++] = 91;
  o += out.write(String(mask), o, "latin1");
  for (let f = 0; f < FIELD_COUNT; f++) {
    if (mask & (1 << f)) continue;
    out[o++] = 44;
    o = copyBytes(out, o, starts[f]!, ends[f]!);
  }
  out[o++] = 93;
  packer.offset = o;
  packer.textSince(at);

  // title_lc: ASCII lowered byte by byte; anything else as toLowerCase gives it.
  if (kinds[TITLE] === STRING) {
    const from = starts[TITLE]! + 1;
    const to = ends[TITLE]! - 1;
    const bytes = b;
    const out = packer.room(to - from);
    at = packer.offset;
    let o = at;
    let k = from;
    for (; k < to; k++) {
      const c = bytes[k]!;
      if (c >= 128) break;
      out[o++] = c >= 65 && c <= 90 ? c + 32 : c;
    }
    if (k === to) {
      packer.offset = o;
      packer.textSince(at);
    } else packer.text(stringOf(TITLE).toLowerCase()); // over the bytes lowered so far
  } else packer.text(kinds[TITLE] === ESCAPED ? stringOf(TITLE).toLowerCase() : "");

  const severity = isString(SEVERITY) ? stringOf(SEVERITY) : null;
  stringCell(SEVERITY);
  packer.cell(severityRank(severity));
  stringCell(STATUS);
  stringCell(CLASSIFICATION);
  stringCell(ASSIGNED);
  stringCell(MACHINE);
  packer.cell(created!.us);
  packer.cell(updated!.us);
  packer.cell(updated!.sub);
  packer.cell(ingestedUs);
  at = packer.offset;
  packer.room(SOURCE.length).set(SOURCE, packer.offset);
  packer.offset += SOURCE.length;
  packer.textSince(at);
  packer.cell(-1); // graph_id
  // incident_id: a number as its text, a non-empty string as it is.
  if (kinds[INCIDENT] === NUMBER) {
    at = packer.offset;
    copy(starts[INCIDENT]!, ends[INCIDENT]!);
    packer.textSince(at);
  } else if (isString(INCIDENT) && ends[INCIDENT]! - starts[INCIDENT]! > 2) stringCell(INCIDENT);
  else packer.cell(-1);
  packer.cell(-1); // graph_payload
  // The lastUpdateTime text the history carries.
  if (lastUpdateTime === null) packer.cell(-1);
  else stringCell(UPDATED);
  return { id, lastUpdateTime: lastUpdateTime! };
}

/** The decoded text of the string at [from, to) (any escapes). */
const decode = (from: number, to: number): string => JSON.parse(b.toString("utf8", from, to)) as string;

/**
 * Reads a page's body into packed rows at `ingestedUs` (see the module's comment); `null` when the
 * general path must read it. Throws the first invalid alert's error, as `toRow` words it.
 */
export function scanAlertPage(body: Uint8Array, ingestedUs: number): ScannedPage | null {
  b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  n = b.length;
  try {
    if (!isUtf8(b)) return null;
    noControl = !hasControl(b);
    backslash = -1;
    return scanPage(ingestedUs);
  } catch (error) {
    if (error instanceof RangeError) return null; // nesting too deep for this thread's stack: the general path decides
    throw error;
  } finally {
    b = Buffer.alloc(0);
    bv = NO_VIEW;
    outViewOf = undefined;
    outView = NO_VIEW;
    n = 0;
    packer = new RowPacker(0, 0);
  }
}

function scanPage(ingestedUs: number): ScannedPage | null {
  let i = skipSpace(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  if (b[i] !== 123) return null;
  i = skipSpace(i + 1);
  packer = new RowPacker(n + 1024, 1024);
  const items: Array<{ id: string; lastUpdateTime?: string | null }> = [];
  const ids = new Set<string>();
  let nextLink: string | undefined;
  let sawValue = false;
  let failure: unknown;
  let duplicate = false;
  if (b[i] === 125) return null; // no "value"
  for (;;) {
    if (b[i] !== 34) return null;
    const keyEnd = jsonString(i);
    if (keyEnd < 0) return null;
    const key = decode(i, keyEnd);
    i = skipSpace(keyEnd);
    if (b[i] !== 58) return null;
    i = skipSpace(i + 1);
    if (key === "value") {
      if (sawValue || b[i] !== 91) return null; // a second "value", or one that is no array: the general path
      sawValue = true;
      i = skipSpace(i + 1);
      if (b[i] === 93) i++;
      else
        for (let index = 0; ; index++) {
          const start = i;
          let end = b[i] === 123 && failure === undefined && !duplicate ? scanAlert(i) : -1;
          if (end >= 0) {
            const item = packAlert(ingestedUs);
            if (ids.has(item.id)) duplicate = true;
            ids.add(item.id);
            items.push(item);
          } else {
            end = jsonValue(start, 0);
            if (end < 0) return null;
            if (failure === undefined && !duplicate) {
              const alert = JSON.parse(b.toString("utf8", start, end)) as AlertInput;
              try {
                packer.row(toRow(alert, index, ingestedUs));
                if (ids.has(alert.id)) duplicate = true;
                ids.add(alert.id);
                items.push(alert);
              } catch (error) {
                failure = error;
              }
            }
          }
          i = skipSpace(end);
          if (b[i] === 44) i = skipSpace(i + 1);
          else if (b[i] === 93) {
            i++;
            break;
          } else return null;
        }
    } else {
      const end = jsonValue(i, 0);
      if (end < 0) return null;
      if (key === "@odata.nextLink") nextLink = b[i] === 34 ? decode(i, end) : undefined;
      i = end;
    }
    i = skipSpace(i);
    if (b[i] === 44) i = skipSpace(i + 1);
    else if (b[i] === 125) break;
    else return null;
  }
  if (skipSpace(i + 1) !== n || !sawValue) return null;
  if (failure !== undefined) throw failure;
  // An id twice: the general path keeps the newest version of it.
  if (duplicate) return null;
  return { packed: packer.finish(), items, nextLink };
}
