/*
 * The SQLite alert reader thread (alert-writer-client.ts starts it beside the writer thread): an
 * alert page's body arrives as the API sent it, and is read into packed rows (alert-page-body.ts
 * `readPagePacked`: scanned, or parsed where it must be), validated and placed in its pass here,
 * then handed to the writer thread (alert-row-pack.ts) over a channel of their own. So the store's
 * thread reads the network, this one reads the pages and the writer writes, each page's work
 * overlapping the next's. A body that is not a page, or holds an invalid alert, is answered from
 * here and never reaches the writer. Nothing here runs when the module is not a worker's entry.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { readPagePacked } from "./alert-page-body.js";
import { cursorRow } from "./cursors.js";
import { errorReply, type ReaderSetup, type SpareBody, type SparePacked, type WriterBodyRequest, type WriterPackedRequest } from "./alert-writer-client.js";
import { recyclePacked } from "./alert-row-pack.js";

const port = parentPort;
if (port) {
  const { writer } = workerData as ReaderSetup & { writer: MessagePort };
  writer.on("message", (spare: SparePacked) => recyclePacked(spare));
  port.on("message", (request: WriterBodyRequest | { type: "close" }) => {
    if ("type" in request) {
      // The writer ends once it has this and the store's own close: nothing of ours is then in flight.
      writer.postMessage({ type: "reader-end" });
      writer.close();
      port.close();
      return;
    }
    try {
      const page = readPagePacked(request, request.now);
      const { packed } = page;
      const ready: WriterPackedRequest = {
        id: request.id,
        tenantId: request.tenantId,
        packed,
        duplicates: page.duplicates,
        // Checked here: a cursor that is no time refuses the page before the writer sees it.
        cursor: cursorRow(request.tenantId, "alerts", page.position, request.now),
        now: request.now,
        place: page.place,
      };
      writer.postMessage(ready, [packed.cells.buffer as ArrayBuffer, packed.bytes.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage(errorReply(request.id, error));
    }
    // The body is read: its buffer goes back to the store's thread for the next body (spare-buffers.ts).
    const spare: SpareBody = { type: "spare", body: request.body.buffer as ArrayBuffer };
    port.postMessage(spare, [spare.body]);
  });
}
