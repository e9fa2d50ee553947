/*
 * Buffers a thread is done with, kept for the next page of the same kind: an alert page's body
 * (the store's thread reads the network into it, alert-writer-client.ts) and its packed rows (the
 * reader thread packs into them, alert-row-pack.ts) come back from the thread that used them. A
 * page's buffers are a few MiB, and a new buffer's every 4 KiB page is a trip into the kernel when
 * it is first written (measured during a sync of the emulator's pages: about a sixth of the store
 * thread's and of the reader thread's CPU, before these pools), its release left to the garbage
 * collector. Small buffers are not kept, nor more than a few.
 */

/** Buffers below this are not kept (a fresh small one costs little). */
export const SPARE_MIN_BYTES = 64 * 1024;

/** New buffers are made a multiple of this, so that pages of about one size share them. */
const SPARE_STEP = 256 * 1024;

/** A size of at least `byteLength` for a new buffer that may be kept. */
export const spareSize = (byteLength: number): number => (byteLength < SPARE_MIN_BYTES ? byteLength : Math.ceil(byteLength / SPARE_STEP) * SPARE_STEP);

/** At most `limit` kept buffers; the smallest goes first. */
export class SpareBuffers {
  readonly #kept: ArrayBuffer[] = [];
  readonly #limit: number;

  constructor(limit = 4) {
    this.#limit = limit;
  }

  /** The smallest kept buffer of at least `byteLength` bytes, taken out of the pool; undefined when none fits. */
  take(byteLength: number): ArrayBuffer | undefined {
    if (byteLength < SPARE_MIN_BYTES) return undefined;
    const kept = this.#kept;
    let best = -1;
    for (let i = 0; i < kept.length; i++) if (kept[i]!.byteLength >= byteLength && (best < 0 || kept[i]!.byteLength < kept[best]!.byteLength)) best = i;
    return best < 0 ? undefined : kept.splice(best, 1)[0];
  }

  /** A kept buffer of at least `byteLength` bytes ({@link take}), else a new one ({@link spareSize}). */
  get(byteLength: number): ArrayBuffer {
    return this.take(byteLength) ?? new ArrayBuffer(spareSize(byteLength));
  }

  /** Keeps a buffer nothing else uses any more (a detached or small one is dropped). */
  keep(buffer: ArrayBuffer): void {
    const kept = this.#kept;
    if (buffer.byteLength < SPARE_MIN_BYTES || kept.includes(buffer)) return;
    kept.push(buffer);
    if (kept.length > this.#limit) kept.splice(kept.reduce((min, b, i) => (b.byteLength < kept[min]!.byteLength ? i : min), 0), 1);
  }

  /** Drops every kept buffer. */
  clear(): void {
    this.#kept.length = 0;
  }
}
