// Shared setup for the MDE API and data tests: an emulator on a private state
// directory, app-only tokens minted directly (no token endpoint involved), and
// the documented example payloads (docs/reference/examples in this repository).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator, type EmulatorOptions } from "@mde-partner/emulator";
import { mintAccessToken } from "../src/core/access-token.js";
import { MDE_RESOURCE } from "../src/core/constants.js";
import { servicePrincipalId } from "../src/core/directory.js";

export interface TestEmulator {
  emulator: Emulator;
  stop(): Promise<void>;
}

export async function makeEmulator(options: EmulatorOptions): Promise<TestEmulator> {
  const stateDir = mkdtempSync(join(tmpdir(), "mde-api-test-"));
  const emulator = await createEmulator({ ...options, stateDir });
  return {
    emulator,
    async stop() {
      await emulator.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A v1 app-only MDE token for a customer tenant, with the given roles (default: what the tenant granted). */
export async function tokenFor(emulator: Emulator, tenantId: string, roles?: string[]): Promise<string> {
  const tenant = emulator.info().tenants.find((t) => t.id === tenantId);
  if (!tenant) throw new TypeError(`unknown tenant ${tenantId}`);
  const minted = await mintAccessToken(emulator.state, {
    tenantId,
    clientId: emulator.partnerApp.clientId,
    servicePrincipalId: servicePrincipalId(tenantId, emulator.partnerApp.clientId),
    resource: { kind: "mde", identifier: MDE_RESOURCE },
    roles: roles ?? tenant.roles,
    authMethod: "1",
  });
  return minted.accessToken;
}

/** An in-process caller of the MDE API with a bearer token. */
export function apiCaller(emulator: Emulator, token: string) {
  return async (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await emulator.fetch(path, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> };
  };
}

/** A documented example payload (docs/reference/examples). */
export function example(name: string): any {
  return JSON.parse(readFileSync(new URL(`../../../docs/reference/examples/${name}`, import.meta.url), "utf8"));
}
