import { type Palette, visibleLength } from "./color.js";
import { CELL_MAX, terminalText } from "./terminal-text.js";

/** One column of a table: where the value comes from and how it is shown. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
  align?: "left" | "right";
  /** Longest cell on a terminal; longer text is cut with an ellipsis. */
  max?: number;
  /** Styles a cell after padding is computed (colour does not count towards width). */
  style?: (text: string, row: Row) => string;
}

/** How a table is laid out. */
export interface TableOptions {
  /**
   * Plain text for a pipe or a file: cells separated by one tab, no padding, no
   * rule, no cuts to the column width (only the {@link CELL_MAX} bound), so
   * `cut -f`, `awk -F'\t'` and `sort` read it.
   */
  plain?: boolean;
  /** False leaves out the header and the rule (`--quiet`: rows only). */
  header?: boolean;
  /** Told once per cell that was shortened, so the caller can say how to see it all. */
  onShortened?: () => void;
}

function raw(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(raw).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Renders rows as text: on a terminal an aligned table (header, rule, one line
 * per row), for a pipe tab-separated lines. Every cell is one line, bounded and
 * with control characters shown visibly (tenant data never reaches the
 * terminal raw).
 */
export function renderTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  palette: Palette,
  options: TableOptions = {},
): string {
  const header = options.header !== false;
  const texts = rows.map((row) =>
    columns.map((c) => {
      const safe = terminalText(raw(c.value(row)), { max: CELL_MAX, singleLine: true });
      const text = options.plain ? safe.text : cut(safe.text, c.max);
      if (safe.omitted > 0 || text !== safe.text) options.onShortened?.();
      return text;
    }),
  );
  const styled = (text: string, r: number, i: number) => (columns[i]!.style ? columns[i]!.style!(text, rows[r]!) : text);
  if (options.plain) {
    const lines = texts.map((t, r) => t.map((text, i) => styled(text, r, i)).join("\t"));
    if (header) lines.unshift(columns.map((c) => c.header).join("\t"));
    return lines.length > 0 ? `${lines.join("\n")}\n` : "";
  }
  const widths = columns.map((c, i) => Math.max(header ? c.header.length : 0, ...texts.map((t) => t[i]!.length)));
  const pad = (text: string, i: number, shown: string) => {
    const fill = " ".repeat(Math.max(0, widths[i]! - visibleLength(text)));
    return columns[i]!.align === "right" ? fill + shown : shown + fill;
  };
  const lines = texts.map((t, r) =>
    t
      .map((text, i) => pad(text, i, styled(text, r, i)))
      .join("  ")
      .trimEnd(),
  );
  if (header) {
    lines.unshift(
      columns
        .map((c, i) => pad(c.header, i, palette.bold(c.header)))
        .join("  ")
        .trimEnd(),
      columns.map((_, i) => "─".repeat(widths[i]!)).join("  "),
    );
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
