/** Reading export files over a fake transport: line splitting across chunks, and what a hostile file cannot make the reader do. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { MAX_EXPORT_LINE_BYTES, MdeInvalidResponseError, type MdeTransport, readExportFile, readExportFiles } from "@mde-partner/client";

/** A transport whose downloads answer `body` (gzip'd), cut into `chunk`-byte pieces. */
function transportServing(files: Record<string, Buffer>, chunk = 7): MdeTransport & { downloads: string[] } {
  const downloads: string[] = [];
  return {
    baseUrl: "https://api.securitycenter.microsoft.com",
    tenantId: "00000000-0000-4000-8000-000000000001",
    downloads,
    send: () => Promise.reject(new Error("no API calls expected")),
    download: async (url) => {
      downloads.push(url);
      const gz = files[url];
      if (!gz) throw new Error(`unexpected ${url}`);
      let offset = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= gz.length) return controller.close();
          controller.enqueue(new Uint8Array(gz.subarray(offset, offset + chunk)));
          offset += chunk;
        },
      });
      return new Response(body);
    },
  };
}

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

/** A download of `lines` generated rows of about 1 KB (random, so gzip shrinks them as little as real rows), gzip'd while it is read. */
function generatedDownload(lines: number): MdeTransport {
  let n = 0;
  const rows = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (n >= lines) return controller.close();
      let text = "";
      for (let i = 0; i < 200 && n < lines; i++, n++) text += `${JSON.stringify({ n, pad: randomBytes(500).toString("hex") })}\n`;
      controller.enqueue(new TextEncoder().encode(text));
    },
  });
  return {
    baseUrl: "https://api.securitycenter.microsoft.com",
    tenantId: "00000000-0000-4000-8000-000000000001",
    send: () => Promise.reject(new Error("no API calls expected")),
    download: async () => new Response(rows.pipeThrough(new CompressionStream("gzip"))),
  };
}

describe("readExportFile", () => {
  it("reads a 12 MB export while the live heap grows by less than half of it (rows are not accumulated)", async () => {
    // The live heap is measured after a full collection, so garbage waiting for the collector does not count.
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const lines = 12_000;
    gc();
    const start = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    for await (const row of readExportFile<{ n: number }>(generatedDownload(lines), "https://blob.example/big.json.gz")) {
      assert.equal(row.n, count++);
      if (count % 3000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - start);
      }
    }
    assert.equal(count, lines);
    assert.ok(peak < 6 * 1024 * 1024, `live heap grew by ${(peak / 1024 / 1024).toFixed(1)} MB while reading about 12 MB`);
  });

  it("yields one row per line whatever the chunking, including a last line without a newline and a NEL inside a value", async () => {
    const rows = [{ a: 1 }, { deviceName: "pc\u0085tenant=ok" }, { b: "x\ny" }];
    const text = `${rows.map((r) => JSON.stringify(r)).join("\n")}`;
    const t = transportServing({ "https://blob.example/1.json.gz": gzipSync(text), "https://blob.example/2.json.gz": gzipSync("\n{\"c\":3}\n\n") }, 3);
    assert.deepEqual(await collect(readExportFile(t, "https://blob.example/1.json.gz")), rows);
    assert.deepEqual(await collect(readExportFiles(t, { exportFiles: ["https://blob.example/1.json.gz", "https://blob.example/2.json.gz"] })), [
      ...rows,
      { c: 3 },
    ]);
  });

  it("refuses a line longer than the limit without buffering the rest, and a line that is not JSON", async () => {
    const long = `{"x":"${"y".repeat(MAX_EXPORT_LINE_BYTES + 10)}"}\n{"z":1}\n`;
    const t = transportServing({ "https://blob.example/long.gz": gzipSync(long), "https://blob.example/bad.gz": gzipSync('{"ok":1}\nnot json\n') }, 64 * 1024);
    await assert.rejects(collect(readExportFile(t, "https://blob.example/long.gz")), (e: unknown) => e instanceof MdeInvalidResponseError && /longer than/.test(e.message));
    const seen: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const row of readExportFile(t, "https://blob.example/bad.gz")) seen.push(row);
      })(),
      (e: unknown) => e instanceof MdeInvalidResponseError && /line 2/.test(e.message) && !e.message.includes("not json"),
    );
    assert.deepEqual(seen, [{ ok: 1 }]);
  });

  it("refuses a body that is not gzip, and a transport that cannot download", async () => {
    const t = transportServing({ "https://blob.example/plain": Buffer.from('{"a":1}\n') });
    await assert.rejects(collect(readExportFile(t, "https://blob.example/plain")), MdeInvalidResponseError);
    const { download: _download, ...noDownload } = t;
    await assert.rejects(collect(readExportFile(noDownload, "https://blob.example/plain")), TypeError);
  });
});
