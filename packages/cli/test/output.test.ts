import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CliIo } from "../src/io.js";
import { colorEnabled, createPalette } from "../src/output/color.js";
import { EventEmitter } from "node:events";
import { exitQuietlyOnBrokenPipe } from "../src/io.js";
import { jsonText } from "../src/output/json-text.js";
import { createOutput, errorText } from "../src/output/output.js";
import { createProgress } from "../src/output/progress.js";
import { renderTable } from "../src/output/table.js";
import { neutralizeControls, shorten, terminalText } from "../src/output/terminal-text.js";

function fakeIo(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s) > 0, isTTY: options.tty ?? false },
    stderr: { write: (s: string) => err.push(s) > 0, isTTY: options.tty ?? false },
    stdin: process.stdin,
    env: options.env ?? {},
  };
  return { io, out, err };
}

describe("output", () => {
  it("aligns tables, cuts long cells and right-aligns numbers", () => {
    const text = renderTable(
      [
        { header: "NAME", value: (r: { n: string; c: number }) => r.n, max: 6 },
        { header: "COUNT", value: (r: { n: string; c: number }) => r.c, align: "right" },
      ],
      [
        { n: "Contoso Ltd", c: 5 },
        { n: "Fab", c: 1234 },
      ],
      createPalette(false),
    );
    assert.equal(text, "NAME    COUNT\n──────  ─────\nConto…      5\nFab      1234\n");
  });

  it("colours only a terminal, and never with NO_COLOR", () => {
    assert.equal(colorEnabled({ write: () => true, isTTY: true }, {}), true);
    assert.equal(colorEnabled({ write: () => true, isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(colorEnabled({ write: () => true, isTTY: false }, {}), false);
    const { io, out } = fakeIo({ tty: true, env: { NO_COLOR: "1" } });
    createOutput(io).table([{ header: "H", value: () => "v" }], [{}]);
    assert.doesNotMatch(out.join(""), /\u001b\[/);
  });

  it("--json and --ndjson keep stdout pure data; notes go to stderr; --quiet silences notes", () => {
    const a = fakeIo();
    const o = createOutput(a.io, { ndjson: true });
    o.line("a human line");
    o.record({ x: 1 });
    o.note("a note");
    assert.equal(a.out.join(""), '{"x":1}\n');
    assert.equal(a.err.join(""), "a note\n");
    const b = fakeIo();
    createOutput(b.io, { quiet: true }).note("hidden");
    assert.equal(b.err.join(""), "");
    assert.throws(() => createOutput(b.io, { json: true, ndjson: true }), /cannot be used together/);
  });

  it("--quiet prints the data: table rows without the header, detail fields and ids, no notes or hints", () => {
    const { io, out, err } = fakeIo();
    const o = createOutput(io, { quiet: true });
    o.table([{ header: "NAME", value: (r: { n: string }) => r.n }], [{ n: "Contoso" }, { n: "Fabrikam" }]);
    o.fields([["id", "da1"], ["missing", undefined]]);
    o.data("batch-7");
    o.line("next: do something");
    o.note("2 rows");
    assert.equal(out.join(""), "Contoso\nFabrikam\nid  da1\nbatch-7\n");
    assert.equal(err.join(""), "");
  });

  it("a table for a pipe is tab-separated, without box drawing or padding; on a terminal it is aligned", () => {
    const columns = [
      { header: "NAME", value: (r: { n: string; c: number }) => r.n, max: 6 },
      { header: "COUNT", value: (r: { n: string; c: number }) => r.c, align: "right" as const },
    ];
    const rows = [
      { n: "Contoso Ltd", c: 5 },
      { n: "Fab", c: 1234 },
    ];
    const pipe = fakeIo({ env: { FORCE_COLOR: "" } });
    createOutput(pipe.io).table(columns, rows);
    assert.equal(pipe.out.join(""), "NAME\tCOUNT\nContoso Ltd\t5\nFab\t1234\n");
    const tty = fakeIo({ tty: true, env: { NO_COLOR: "1" } });
    createOutput(tty.io).table(columns, rows);
    assert.equal(tty.out.join(""), "NAME    COUNT\n──────  ─────\nConto…      5\nFab      1234\n");
  });

  it("draws progress bars on a terminal only", async () => {
    const pipe = fakeIo();
    const p1 = createProgress(pipe.io.stderr, { enabled: true, palette: createPalette(false), intervalMs: 0 });
    p1.update("t", "Contoso", { done: 5, total: 10 });
    p1.finish();
    assert.equal(pipe.err.join(""), "");
    const tty = fakeIo({ tty: true });
    const p2 = createProgress(tty.io.stderr, { enabled: true, palette: createPalette(false), intervalMs: 0 });
    p2.update("t", "Contoso", { done: 5, total: 10 });
    p2.finish();
    assert.match(tty.err.join(""), /Contoso\s+█{12}░{12}\s+5\/10/);
    const named = fakeIo({ tty: true });
    const p3 = createProgress(named.io.stderr, { enabled: true, palette: createPalette(false), intervalMs: 0 });
    p3.update("t", "\u001b]0;owned\u0007Evil", { done: 1 });
    p3.finish();
    assert.match(named.err.join(""), /\\x1b\]0;owned\\x07Evil/, "a tenant name is shown, never acted on");
    assert.doesNotMatch(named.err.join("").replace(/\u001b\[(?:\d+A|2K)/g, ""), RAW_CONTROL);
  });
});

/** What a hostile tenant puts in its data: OSC 52, OSC 8, OSC 0, CSI 2J, C1 CSI and NEL, DEL, a bidi override. */
const HOSTILE = [
  "\u001b]52;c;Y3VybCBldmlsLnNofHNo\u0007",
  "\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\",
  "\u001b]0;owned\u0007",
  "\u001b[2J",
  "\u009b31m",
  "\u0085",
  "\u007f",
  "\u202egnp.exe",
].join(" ");
/** Bytes that make a terminal act: ESC, BEL, other C0 but tab/newline, DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("terminal text: tenant data never reaches the terminal raw", () => {
  it("shows every control character visibly and keeps newline and tab", () => {
    const shown = neutralizeControls(`${HOSTILE}\nline two\tcell`);
    assert.doesNotMatch(shown, RAW_CONTROL);
    assert.equal(
      shown,
      "\\x1b]52;c;Y3VybCBldmlsLnNofHNo\\x07 \\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\ \\x1b]0;owned\\x07 \\x1b[2J \\x9b31m \\x85 \\x7f \\u202egnp.exe\nline two\tcell",
    );
    assert.equal(neutralizeControls("a\r\n\tb\u001b", { singleLine: true }), "a b\\x1b");
  });

  it("shortens a long value with a marker saying how much was left out", () => {
    assert.deepEqual(shorten("abcdef", 2), { text: "ab…(+4 chars)", omitted: 4 });
    assert.deepEqual(shorten("abc", 3), { text: "abc", omitted: 0 });
    assert.equal(shorten("a😀", 2).text, "a…(+2 chars)", "a surrogate pair is never split");
    const big = terminalText("T".repeat(2_000_000), { max: 50 });
    assert.equal(big.text, `${"T".repeat(50)}…(+1999950 chars)`);
  });

  it("tables, detail fields, lines, notes, warnings and errors all show controls visibly", () => {
    for (const tty of [true, false]) {
      const { io, out, err } = fakeIo({ tty });
      const o = createOutput(io);
      o.table([{ header: "TITLE", value: (r: { t: string }) => r.t }], [{ t: HOSTILE }]);
      o.fields([["title", HOSTILE], ["tags", [HOSTILE, "x"]]]);
      o.line(HOSTILE);
      o.data(HOSTILE);
      o.note(HOSTILE);
      o.warn(HOSTILE);
      o.error(HOSTILE, HOSTILE);
      const ownColours = /\u001b\[(?:1|2|22|3\d|39)m/g;
      assert.doesNotMatch(out.join("").replace(ownColours, ""), RAW_CONTROL, "only the CLI's own colours");
      assert.doesNotMatch(err.join("").replace(ownColours, ""), RAW_CONTROL, "only the CLI's own colours");
      assert.match(out.join(""), /\\x1b\]52;c;/);
      assert.match(err.join("").replace(ownColours, ""), /error: .*\\x9b31m/);
    }
  });

  it("an error is one line plus one hint line, whatever the API text holds", () => {
    assert.equal(errorText("bad\r\nthing\u001b[2J (ERR_MDE_HTTP)", "retry\nlater"), "error: bad thing\\x1b[2J (ERR_MDE_HTTP)\nhint: retry later\n");
    const long = errorText("x".repeat(100_000));
    assert.ok(long.length < 5000, "an error line is bounded");
    assert.match(long, /…\(\+96000 chars\)\n$/);
  });

  it("long values are shortened in tables and detail views, with one note pointing at --json", () => {
    const title = `Suspicious ${"A".repeat(2_000_000)}`;
    const { io, out, err } = fakeIo();
    const o = createOutput(io);
    o.table([{ header: "TITLE", value: (r: { t: string }) => r.t, max: 60 }], [{ t: title }, { t: title }]);
    o.fields([["title", title]]);
    const text = out.join("");
    assert.ok(text.length < 10_000, `printed ${text.length} characters`);
    assert.match(text, /^TITLE\nSuspicious A{189}…\(\+1999811 chars\)\n/);
    assert.match(text, /\ntitle {2}Suspicious A{1989}…\(\+1998011 chars\)\n$/);
    assert.equal(err.join(""), "note: long values are shortened here; --json shows them in full\n");
    const tty = fakeIo({ tty: true, env: { NO_COLOR: "1" } });
    createOutput(tty.io).table([{ header: "TITLE", value: (r: { t: string }) => r.t, max: 60 }], [{ t: title }]);
    assert.equal(tty.out.join("").split("\n")[2], `Suspicious ${"A".repeat(48)}…`);
    assert.match(tty.err.join(""), /--json shows them in full/);
  });

  it("JSON keeps every value whole and escapes DEL, C1, line separators and bidi controls", () => {
    const value = { title: `${HOSTILE}\u2028${"B".repeat(200_000)}` };
    const { io, out } = fakeIo();
    createOutput(io, { json: true }).json([value]);
    createOutput(io, { ndjson: true }).record(value);
    const [doc, line] = [out[0]!, out[1]!];
    for (const text of [doc, line]) {
      assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202e]/);
      assert.match(text, /\\u009b31m \\u0085 \\u007f \\u202egnp/);
    }
    assert.deepEqual(JSON.parse(doc), [value]);
    assert.deepEqual(JSON.parse(line), value);
    assert.equal(jsonText(undefined), "null");
  });
});

describe("broken pipe", () => {
  it("stdout EPIPE ends the process with exit 0; stderr EPIPE is ignored; installed once", () => {
    const stdout = new EventEmitter() as unknown as NodeJS.WriteStream;
    const stderr = new EventEmitter() as unknown as NodeJS.WriteStream;
    const exits: number[] = [];
    exitQuietlyOnBrokenPipe(stdout, stderr, (code) => exits.push(code));
    exitQuietlyOnBrokenPipe(stdout, stderr, (code) => exits.push(code));
    assert.equal(stdout.listenerCount("error"), 1);
    stderr.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    assert.deepEqual(exits, []);
    stdout.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    assert.deepEqual(exits, [0]);
    assert.throws(() => stdout.emit("error", Object.assign(new Error("disk full"), { code: "ENOSPC" })), /disk full/);
  });

});
