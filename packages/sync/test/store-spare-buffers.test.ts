/**
 * The pools of page buffers the store's threads hand back to each other (spare-buffers.ts): a
 * buffer is given out once, the smallest that fits, never a small or a detached one, and the pool
 * holds no more than its bound.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SPARE_MIN_BYTES, SpareBuffers, spareSize } from "../src/store/spare-buffers.js";

const MiB = 1024 * 1024;

describe("spare page buffers", () => {
  it("gives out the smallest kept buffer that fits, once", () => {
    const pool = new SpareBuffers();
    const [small, mid, large] = [1, 4, 16].map((n) => new ArrayBuffer(n * MiB));
    for (const b of [large, small, mid]) pool.keep(b!);
    assert.equal(pool.take(3 * MiB), mid);
    assert.equal(pool.take(3 * MiB), large, "a buffer given out is not given again");
    assert.equal(pool.take(3 * MiB), undefined, "none left that fits");
    assert.equal(pool.take(MiB), small);
  });

  it("keeps neither small buffers, nor detached ones, nor one twice, and no more than its bound", () => {
    const pool = new SpareBuffers(2);
    pool.keep(new ArrayBuffer(SPARE_MIN_BYTES - 1));
    assert.equal(pool.take(1), undefined, "small requests are not served from the pool");
    assert.equal(pool.take(SPARE_MIN_BYTES - 1), undefined);
    const moved = new ArrayBuffer(MiB);
    structuredClone(moved, { transfer: [moved] });
    assert.equal(moved.byteLength, 0);
    pool.keep(moved);
    assert.equal(pool.take(SPARE_MIN_BYTES), undefined, "a buffer that moved to another thread is not kept");

    const [a, b, c] = [2, 1, 3].map((n) => new ArrayBuffer(n * MiB));
    pool.keep(a!);
    pool.keep(a!);
    pool.keep(b!);
    pool.keep(c!);
    // Over the bound of two, the smallest went.
    assert.equal(pool.take(SPARE_MIN_BYTES), a);
    assert.equal(pool.take(SPARE_MIN_BYTES), c);
    assert.equal(pool.take(SPARE_MIN_BYTES), undefined);

    pool.keep(new ArrayBuffer(MiB));
    pool.clear();
    assert.equal(pool.take(SPARE_MIN_BYTES), undefined);
  });

  it("sizes new buffers so that pages of about one size share them", () => {
    assert.equal(spareSize(100), 100, "small buffers are made as asked");
    const size = spareSize(4_000_001);
    assert.ok(size >= 4_000_001 && size - 4_000_001 < 256 * 1024);
    assert.equal(spareSize(4_000_001), spareSize(4_100_000));
  });
});
