/*
 * A page's rows as they cross from the alert reader thread to the writer thread: every text cell
 * as UTF-8 end to end in one buffer, and one Float64Array with each text cell's byte length (-1:
 * null) and the numeric cells, in the alerts table's column order. Both buffers move without a
 * copy. The writer binds each text cell as a slice of the bytes, cast to text in the statement
 * (SQLite stores exactly those bytes: its text is UTF-8), so no cell becomes a JavaScript string
 * again unless the row meets a stored version. Measured against the alternatives on the emulator's
 * pages: a structured clone of row objects cost about as much as parsing the page again, and one
 * joined string turned two-byte at the first non-Latin-1 character, after which SQLite's binding
 * re-encoded every cell.
 */
import type { AlertRow, IncomingRow } from "./alert-rows.js";
import { SpareBuffers } from "./spare-buffers.js";

/**
 * The alerts table's columns a row carries, in order: all but the tenant key, which the writer
 * knows (alert-rows.ts's ROW_COLUMNS are the tenant key and these). A packed row adds the history's
 * lastUpdateTime text.
 */
export const PACKED_COLUMNS = [
  "id",
  "payload",
  "title_lc",
  "severity",
  "severity_rank",
  "status",
  "classification",
  "assigned_to",
  "machine_id",
  "created_us",
  "updated_us",
  "updated_sub",
  "ingested_us",
  "source",
  "graph_id",
  "incident_id",
  "graph_payload",
] as const;
const NUMERIC = new Set<string>(["severity_rank", "created_us", "updated_us", "updated_sub", "ingested_us"]);
/** Per column: true for a text cell. */
export const PACKED_TEXT: readonly boolean[] = PACKED_COLUMNS.map((c) => !NUMERIC.has(c));
const WIDTH = PACKED_COLUMNS.length + 1;

export interface PackedRows {
  readonly bytes: Uint8Array;
  readonly cells: Float64Array;
}

/**
 * Buffers of packed rows the writer thread has written, back on the thread that packs
 * (spare-buffers.ts): as many as the pages the writer may hold at once (its transactions take up
 * to eight, and as many wait).
 */
const spareBytes = new SpareBuffers(16);
const spareCells = new SpareBuffers(16);

/** Gives the buffers of packed rows that were written back, for the next pages packed on this thread. */
export function recyclePacked(buffers: { readonly bytes: ArrayBuffer; readonly cells: ArrayBuffer }): void {
  spareBytes.keep(buffers.bytes);
  spareCells.keep(buffers.cells);
}

const bytesOf = (size: number): Buffer => Buffer.from(spareBytes.get(size));
const cellsOf = (count: number): Float64Array => new Float64Array(spareCells.get(count * 8));

/**
 * Builds packed rows cell by cell, growing its two buffers as needed: {@link packRows} packs row
 * objects with it, and the page scanner (alert-page-scan.ts) copies cells straight from a body.
 */
export class RowPacker {
  /** The text bytes so far (a buffer of its own, so it can move); `offset` of them are used. */
  bytes: Buffer;
  offset = 0;
  private cells: Float64Array;
  private at = 0;

  constructor(byteCapacity: number, rowCapacity: number) {
    this.bytes = bytesOf(Math.max(byteCapacity, 1024));
    this.cells = cellsOf(Math.max(rowCapacity, 16) * WIDTH);
  }

  /** Room for `n` more text bytes. */
  room(n: number): Buffer {
    if (this.offset + n > this.bytes.length) {
      const grown = bytesOf(Math.max(this.bytes.length * 2, this.offset + n));
      this.bytes.copy(grown, 0, 0, this.offset);
      spareBytes.keep(this.bytes.buffer as ArrayBuffer);
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** Ends a text cell of the bytes written since `start` (the caller wrote them at `offset` and moved it). */
  textSince(start: number): void {
    this.cell(this.offset - start);
  }

  /** A text cell (null: no value). */
  text(value: string | null | undefined): void {
    if (value === null || value === undefined) this.cell(-1);
    else {
      // At most three UTF-8 bytes per UTF-16 code unit.
      const n = this.room(value.length * 3).write(value, this.offset, "utf8");
      this.offset += n;
      this.cell(n);
    }
  }

  /** A numeric cell, or a text cell's length (-1: null). */
  cell(value: number): void {
    if (this.at === this.cells.length) {
      const grown = cellsOf(this.cells.length * 2);
      grown.set(this.cells);
      spareCells.keep(this.cells.buffer as ArrayBuffer);
      this.cells = grown;
    }
    this.cells[this.at++] = value;
  }

  /** Every cell of a row object. */
  row({ row, lastUpdate }: IncomingRow): void {
    for (let c = 0; c < PACKED_COLUMNS.length; c++) {
      const value = row[PACKED_COLUMNS[c]!];
      if (PACKED_TEXT[c]) this.text(value as string | null | undefined);
      else this.cell(value as number);
    }
    this.text(lastUpdate);
  }

  /** The rows so far (views of length; their buffers move with them). */
  finish(): PackedRows {
    return { bytes: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.offset), cells: new Float64Array(this.cells.buffer, 0, this.at) };
  }
}

/** Packs rows (see the module's comment). */
export function packRows(rows: readonly IncomingRow[]): PackedRows {
  let chars = 0;
  for (const { row, lastUpdate } of rows) {
    for (let c = 0; c < PACKED_COLUMNS.length; c++) if (PACKED_TEXT[c]) chars += (row[PACKED_COLUMNS[c]!] as string | null | undefined)?.length ?? 0;
    chars += lastUpdate?.length ?? 0;
  }
  const packer = new RowPacker(chars * 3, rows.length);
  for (const r of rows) packer.row(r);
  return packer.finish();
}

/**
 * Calls `each` with the rows of a {@link packRows} result, one after another: each as the values to
 * bind after its tenant key (text cells as views of the bytes, to be cast to text), and a function
 * that gives the row with its text cells as strings (for a row that meets a stored version).
 */
export function forEachPackedRow(packed: PackedRows, each: (bind: unknown[], decode: () => IncomingRow) => void): void {
  const { bytes, cells } = packed;
  const { buffer, byteOffset } = bytes;
  const text = (at: number, length: number) => Buffer.from(buffer, byteOffset + at, length).toString("utf8");
  let at = 0;
  let offset = 0;
  while (at < cells.length) {
    const bind: unknown[] = new Array(PACKED_COLUMNS.length);
    const start = offset;
    for (let c = 0; c < PACKED_COLUMNS.length; c++) {
      const cell = cells[at++]!;
      if (!PACKED_TEXT[c]) bind[c] = cell;
      else if (cell < 0) bind[c] = null;
      else {
        // A plain view: SQLite's binding takes any byte view, and Buffer#subarray costs more to make.
        bind[c] = new Uint8Array(buffer, byteOffset + offset, cell);
        offset += cell;
      }
    }
    const last = cells[at++]!;
    const lastAt = offset;
    if (last > 0) offset += last;
    each(bind, () => {
      const row: Record<string, unknown> = {};
      let from = start;
      for (let c = 0; c < PACKED_COLUMNS.length; c++) {
        const v = bind[c];
        if (v instanceof Uint8Array) {
          row[PACKED_COLUMNS[c]!] = text(from, v.byteLength);
          from += v.byteLength;
        } else row[PACKED_COLUMNS[c]!] = v;
      }
      return { row: row as AlertRow, lastUpdate: last < 0 ? null : text(lastAt, last) };
    });
  }
  if (offset !== bytes.byteLength) throw new RangeError("packed rows: the bytes hold more than the cells say");
}
