import { createServer } from "node:net";

/**
 * A port that is free on `host` right now. The console needs its URL (for its
 * consent callback) before it listens, so `--port 0` is resolved here first;
 * the port could in theory be taken in between, which `start()` then reports.
 */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}
