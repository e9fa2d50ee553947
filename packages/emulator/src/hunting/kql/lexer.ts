import { syntaxError, type SourcePos } from "./errors.js";
import { parseDateTime, parseTimespan, timespanUnits } from "./values.js";

export type TokenKind = "ident" | "string" | "number" | "timespan" | "datetime" | "op" | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for `op` and `ident`, what to compare against). */
  text: string;
  pos: SourcePos;
  /** Decoded value: string content, number, or ticks for timespan/datetime literals. */
  value?: string | number | bigint | null;
  /** Numbers: written with a decimal point (a `real`, not a `long`). */
  real?: boolean;
}

// Longest first, so `!contains` wins over `!`.
const OPERATORS = ["==", "!=", "=~", "!~", "<=", ">=", "..", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", "|", "+", "-", "*", "/", "%", ";", ".", ":"];
const HYPHENATED = /^(project|mv)-[a-z]+/;
const UNITS = new Set(timespanUnits);
const isIdentStart = (ch: string) => /[A-Za-z_$]/.test(ch);
const isIdentPart = (ch: string) => /[A-Za-z0-9_$]/.test(ch);

/**
 * Splits KQL text into tokens with their line/column. Recognises `//` comments,
 * strings in double or single quotes with backslash escapes, verbatim `@"…"`
 * strings, numbers, timespan literals (`7d`, `100ms`), the raw argument of
 * `datetime(…)`/`timespan(…)`, negated operators (`!has`, `!in~`) and the
 * hyphenated operator names (`project-away`).
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (offset: number): SourcePos => ({ offset, line, column: offset - lineStart + 1 });
  const describe = (ch: string) => (ch === "" ? "end of query" : `'${ch}'`);

  while (i < text.length) {
    const ch = text[i] ?? "";
    if (ch === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const start = i;
    const p = pos(start);

    if (ch === '"' || ch === "'" || ((ch === "@" || ch === "h" || ch === "H") && (text[i + 1] === '"' || text[i + 1] === "'"))) {
      const verbatim = ch === "@";
      if (ch !== '"' && ch !== "'") i++;
      const quote = text[i] ?? '"';
      i++;
      let out = "";
      for (;;) {
        const c = text[i];
        if (c === undefined || c === "\n") throw syntaxError(p, `a closing ${quote} to end the string started here`, describe(c ?? ""));
        if (c === quote) {
          if (verbatim && text[i + 1] === quote) {
            out += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\\" && !verbatim) {
          const e = text[i + 1] ?? "";
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0" };
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          const decoded = map[e];
          if (decoded === undefined) throw syntaxError(pos(i), "a valid escape sequence (\\\\, \\\", \\', \\n, \\t, \\r, \\uXXXX)", `'\\${e}'`);
          out += decoded;
          i += 2;
          continue;
        }
        out += c;
        i++;
      }
      tokens.push({ kind: "string", text: text.slice(start, i), pos: p, value: out });
      continue;
    }

    if (/[0-9]/.test(ch)) {
      while (/[0-9]/.test(text[i] ?? "")) i++;
      let real = false;
      if (text[i] === "." && /[0-9]/.test(text[i + 1] ?? "")) {
        real = true;
        i++;
        while (/[0-9]/.test(text[i] ?? "")) i++;
      }
      if (/[eE]/.test(text[i] ?? "") && /[-+0-9]/.test(text[i + 1] ?? "")) {
        const save = i;
        i++;
        if (text[i] === "+" || text[i] === "-") i++;
        if (/[0-9]/.test(text[i] ?? "")) {
          real = true;
          while (/[0-9]/.test(text[i] ?? "")) i++;
        } else i = save;
      }
      const numberText = text.slice(start, i);
      if (isIdentStart(text[i] ?? "")) {
        let j = i;
        while (isIdentPart(text[j] ?? "")) j++;
        const unit = text.slice(i, j);
        if (!UNITS.has(unit.toLowerCase())) throw syntaxError(pos(i), "a timespan unit (d, h, m, s, ms) or an operator after the number", `'${unit}'`);
        i = j;
        tokens.push({ kind: "timespan", text: text.slice(start, i), pos: p, value: parseTimespan(`${numberText}${unit}`) ?? 0n });
        continue;
      }
      tokens.push({ kind: "number", text: numberText, pos: p, value: Number(numberText), real });
      continue;
    }

    if (isIdentStart(ch)) {
      while (isIdentPart(text[i] ?? "")) i++;
      const hyphen = HYPHENATED.exec(text.slice(start, start + 40));
      if (hyphen && (text[start + hyphen[0].length] === undefined || !isIdentPart(text[start + hyphen[0].length] ?? ""))) {
        i = start + hyphen[0].length;
      }
      if (text.slice(start, i) === "in" && text[i] === "~") i++;
      const word = text.slice(start, i);
      if (word === "datetime" || word === "timespan") {
        let j = i;
        while (/[ \t]/.test(text[j] ?? "")) j++;
        if (text[j] === "(") {
          const close = text.indexOf(")", j);
          if (close < 0) throw syntaxError(pos(j), `')' to close ${word}(`, "end of query");
          // Lenient: datetime("2024-01-01") is read like datetime(2024-01-01).
          const raw = text.slice(j + 1, close).trim().replace(/^(["'])(.*)\1$/, "$2");
          const value = raw === "null" ? null : word === "datetime" ? parseDateTime(raw) : parseTimespan(raw);
          if (value === undefined) {
            throw syntaxError(pos(j + 1), word === "datetime" ? "a date such as datetime(2024-01-31) or datetime(2024-01-31T10:00:00Z)" : "a timespan such as timespan(7d)", `'${raw}'`);
          }
          i = close + 1;
          tokens.push({ kind: word === "datetime" ? "datetime" : "timespan", text: text.slice(start, i), pos: p, value });
          continue;
        }
      }
      tokens.push({ kind: "ident", text: word, pos: p });
      continue;
    }

    if (ch === "!" && isIdentStart(text[i + 1] ?? "")) {
      i++;
      while (isIdentPart(text[i] ?? "")) i++;
      if (text[i] === "~") i++;
      tokens.push({ kind: "op", text: text.slice(start, i), pos: p });
      continue;
    }

    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw syntaxError(p, "an operator, a name or a value", `'${ch}'`);
    i += op.length;
    tokens.push({ kind: "op", text: op, pos: p });
  }
  tokens.push({ kind: "eof", text: "", pos: pos(text.length) });
  return tokens;
}
