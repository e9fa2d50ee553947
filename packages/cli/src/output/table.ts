import { type Palette, visibleLength } from "./color.js";

/** One column of a table: where the value comes from and how it is shown. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
  align?: "left" | "right";
  /** Longest cell; longer text is cut with an ellipsis. */
  max?: number;
  /** Styles a cell after padding is computed (colour does not count towards width). */
  style?: (text: string, row: Row) => string;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(cell).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/[\r\n\t]+/g, " ");
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Renders rows as an aligned text table (header, rule, one line per row). */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], palette: Palette): string {
  const texts = rows.map((row) => columns.map((c) => cut(cell(c.value(row)), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...texts.map((t) => t[i]!.length)));
  const pad = (text: string, i: number, styled: string) => {
    const fill = " ".repeat(Math.max(0, widths[i]! - visibleLength(text)));
    return columns[i]!.align === "right" ? fill + styled : styled + fill;
  };
  const lines = [
    columns
      .map((c, i) => pad(c.header, i, palette.bold(c.header)))
      .join("  ")
      .trimEnd(),
    columns.map((_, i) => "─".repeat(widths[i]!)).join("  "),
    ...texts.map((t, r) =>
      t
        .map((text, i) => pad(text, i, columns[i]!.style ? columns[i]!.style!(text, rows[r]!) : text))
        .join("  ")
        .trimEnd(),
    ),
  ];
  return `${lines.join("\n")}\n`;
}
