/**
 * Reads a baseline file (YAML, or JSON, which is YAML too) with the `yaml` package and validates it
 * with the engine's model. Every mistake is reported with its file, line and column — YAML syntax
 * errors as the parser places them, model errors at the node their path leads to — and is a usage
 * error (exit 2).
 */
import { readFileSync } from "node:fs";
import { type Baseline, BaselineValidationError, type DocumentPath, parseBaseline } from "@mde-partner/sync";
import { type Document, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Scalar, visit } from "yaml";
import { usageError } from "../../errors.js";

/** A baseline file, read and validated. */
export interface BaselineFile {
  readonly baseline: Baseline;
  /** The decoded document as written (what the store keeps for drift checks). */
  readonly document: unknown;
}

/**
 * Fields that hold text. YAML reads an unquoted `0123…` hash, `1e5…` or `2024` as a number: under
 * these keys a plain (unquoted) number or boolean is taken as the text it was written as, so a
 * file-hash indicator whose hex happens to be all digits is not silently changed.
 */
const TEXT_KEYS = new Set([
  "name",
  "revision",
  "indicatorValue",
  "title",
  "description",
  "recommendedActions",
  "application",
  "educateUrl",
  "key",
  "displayName",
  "query",
  "tag",
  "computerDnsNamePrefix",
]);
const TEXT_LIST_KEYS = new Set(["excludeIndicators", "excludeDetectionRules", "rbacGroupNames", "tactics", "osPlatform", "rbacGroupName", "groups", "tenants", "exclude"]);

function asWritten(node: Scalar): void {
  if (node.type === "PLAIN" && (typeof node.value === "number" || typeof node.value === "boolean") && typeof node.source === "string") node.value = node.source;
}

function keepText(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key)) return;
      const key = String(pair.key.value);
      if (TEXT_KEYS.has(key) && isScalar(pair.value)) asWritten(pair.value);
      else if (TEXT_LIST_KEYS.has(key) && isSeq(pair.value)) for (const item of pair.value.items) if (isScalar(item)) asWritten(item);
    },
  });
}

/** Largest baseline file read (a 15,000-indicator file is about 4 MB). */
const MAX_BYTES = 32 * 1024 * 1024;

function position(doc: Document, counter: LineCounter, path: DocumentPath): { line: number; col: number } {
  // The deepest node the path reaches: a missing field is reported at its parent mapping.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const p = counter.linePos(node.range[0]);
      return { line: p.line, col: p.col };
    }
  }
  return { line: 1, col: 1 };
}

/**
 * Reads and validates `file`; throws a usage error listing every problem as `file:line:col: path: message`.
 *
 * @example
 * const { baseline, document } = readBaselineFile("baseline.yaml");
 */
export function readBaselineFile(file: string, options: { now?: number; problem?: (line: string) => void } = {}): BaselineFile {
  const now = options.now ?? Date.now();
  const report = (lines: string[]) => {
    for (const l of lines) options.problem?.(l);
    return options.problem ? " (listed above)" : `:\n${lines.join("\n")}`;
  };
  let text: string;
  try {
    const buffer = readFileSync(file);
    if (buffer.length > MAX_BYTES) throw usageError(`${file} is larger than ${MAX_BYTES / 1024 / 1024} MB`);
    text = buffer.toString("utf8");
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
    throw usageError(`cannot read the baseline file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.slice(0, 20).map((e) => {
      const p = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}: ${e.message.split("\n")[0]}`;
    });
    throw usageError(`${file} is not valid YAML${report(lines)}`, "fix the lines named");
  }
  keepText(doc);
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml package refuses aliases that would expand without bound ("billion laughs") here.
    if (!(error instanceof ReferenceError)) throw error;
    throw usageError(`${file} is not a baseline the CLI reads: its anchors and aliases expand too far (${error.message})`, "write the entries out instead of nesting aliases");
  }
  try {
    return { baseline: parseBaseline(document, now), document };
  } catch (error) {
    if (!(error instanceof BaselineValidationError)) throw error;
    const lines = error.issues.slice(0, 50).map((i) => {
      const p = position(doc, counter, i.path);
      return `${file}:${p.line}:${p.col}: ${i.path.length ? i.path.join(".") : "(document)"}: ${i.message}`;
    });
    if (error.issues.length > 50) lines.push(`… and ${error.issues.length - 50} more`);
    throw usageError(`${file} has ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}${report(lines)}`, "fix the lines named; the README's Fleet baselines section shows the format");
  }
}
