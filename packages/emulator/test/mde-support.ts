// Shared setup for the MDE API and data tests: an in-process emulator and its
// caller (graph-support.ts), app-only tokens minted directly (no token endpoint
// involved), and the documented example payloads (docs/reference/examples in this repository).
import { readFileSync } from "node:fs";
import type { Emulator } from "@mde-partner/emulator";
import { mintAccessToken } from "../src/core/access-token.js";
import { MDE_RESOURCE } from "../src/core/constants.js";
import { servicePrincipalId } from "../src/core/directory.js";

export { caller as apiCaller, makeEmulator, type TestEmulator } from "./graph-support.js";

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

/** A documented example payload (docs/reference/examples). */
export function example(name: string): any {
  return JSON.parse(readFileSync(new URL(`../../../docs/reference/examples/${name}`, import.meta.url), "utf8"));
}
