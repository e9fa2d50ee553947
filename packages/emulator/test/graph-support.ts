// Shared setup for the Graph security API tests: an in-process emulator on a private
// state directory, app-only tokens from the emulator's own token endpoint (in-process),
// callers for Graph and the MDE API, the documented Graph examples, and the
// recursive shape comparison the MDE shape tests use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Emulator, EmulatorOptions } from "@mde-partner/emulator";
import { emulatorWorld, type EmulatorWorld } from "@mde-partner/test-kit";

export type TestEmulator = EmulatorWorld;

export function makeEmulator(options: EmulatorOptions): Promise<TestEmulator> {
  return emulatorWorld(options);
}

/** A token from the emulator's token endpoint: v2 `scope=` or v1 `resource=`, client secret. */
export async function fetchToken(emulator: Emulator, tenantId: string, request: { scope: string } | { resource: string }): Promise<string> {
  const v2 = "scope" in request;
  const form = new URLSearchParams({
    client_id: emulator.partnerApp.clientId,
    client_secret: emulator.info().partnerApp.clientSecret,
    grant_type: "client_credentials",
    ...request,
  });
  const res = await emulator.fetch(`/${tenantId}/oauth2/${v2 ? "v2.0/token" : "token"}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const MDE_SCOPE = "https://api.securitycenter.microsoft.com/.default";

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json(): any;
}

/** An in-process caller with a bearer token. */
export function caller(emulator: Emulator, token: string) {
  return async (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<CallResult> => {
    const res = await emulator.fetch(path, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };
}

/** A documented Graph example payload (docs/reference/examples/graph). */
export function example(name: string): any {
  return JSON.parse(readFileSync(new URL(`../../../docs/reference/examples/graph/${name}`, import.meta.url), "utf8"));
}

import { assertShape } from "./shape-support.js";

export { assertShape };

/** The Graph error envelope of examples/graph/graph-error.example.json, with the ids Graph adds. */
export function assertGraphError(res: CallResult, status: number, code: string): Record<string, any> {
  assert.equal(res.status, status, res.text);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assertShape(body, example("graph-error.example.json"), "error", new Set(["client-request-id", "details"]));
  assert.equal(body.error.code, code);
  assert.match(body.error.innerError.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.equal(body.error.innerError["request-id"], res.headers.get("request-id"));
  assert.equal(body.error.innerError["client-request-id"], res.headers.get("client-request-id"));
  return body.error;
}
