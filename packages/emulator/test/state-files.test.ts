/**
 * Emulators started at the same time on a new state folder (parallel test files, two terminals)
 * share one CA: every one serves a certificate that the CA in the folder verifies, so a client
 * given that ca.pem trusts each of them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createEmulator } from "../src/index.js";

/** The status of a GET through TLS that trusts only `ca`. */
function statusWith(ca: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

describe("the emulator's state folder", () => {
  it("gives emulators started together on a new folder one CA that verifies each of them", async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), "mde-state-files-")), "state");
    try {
      const emulators = await Promise.all(Array.from({ length: 4 }, () => createEmulator({ stateDir, tenants: 0 })));
      const infos = await Promise.all(emulators.map((e) => e.start()));
      try {
        const ca = readFileSync(join(stateDir, "ca.pem"), "utf8");
        for (const info of infos) {
          assert.equal(info.caCertFile, join(stateDir, "ca.pem"));
          assert.equal(await statusWith(ca, `${info.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${info.loginUrl}/common/oauth2/v2.0/authorize`)}`), 200);
        }
      } finally {
        await Promise.all(emulators.map((e) => e.stop()));
      }
    } finally {
      rmSync(join(stateDir, ".."), { recursive: true, force: true });
    }
  });
});
