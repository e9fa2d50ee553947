import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CliIo } from "../src/io.js";
import { colorEnabled, createPalette } from "../src/output/color.js";
import { createOutput } from "../src/output/output.js";
import { createProgress } from "../src/output/progress.js";
import { renderTable } from "../src/output/table.js";

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
  });
});
