// Shared setup for the Entra ID tests: a started emulator on a private state
// directory, and HTTPS requests that trust the emulator's CA (never disabling
// verification).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator, type EmulatorInfo, type EmulatorOptions } from "@mde-partner/emulator";

export interface StartedEmulator {
  emulator: Emulator;
  info: EmulatorInfo;
  /** PEM of the emulator's CA (`info.caCertFile`). */
  ca: string;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<StartedEmulator> {
  const stateDir = mkdtempSync(join(tmpdir(), "mde-entra-test-"));
  const emulator = await createEmulator({ alertsPerTenant: 1, machinesPerTenant: 1, ...options, stateDir });
  const info = await emulator.start();
  return {
    emulator,
    info,
    ca: readFileSync(info.caCertFile, "utf8"),
    stateDir,
    async stop() {
      await emulator.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTPS request over a real socket, trusting only `ca`. */
export function httpsRequest(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers ?? {}, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** POSTs a form to a token endpoint (`v1` → `/oauth2/token`, `v2` → `/oauth2/v2.0/token`). */
export function postToken(
  started: StartedEmulator,
  tenant: string,
  version: "v1" | "v2",
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<HttpsResponse> {
  const path = version === "v1" ? "oauth2/token" : "oauth2/v2.0/token";
  const body = typeof form === "string" ? form : new URLSearchParams(form).toString();
  return httpsRequest(`${started.info.loginUrl}/${tenant}/${path}`, started.ca, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

export const MDE_SCOPE = "https://securitycenter.onmicrosoft.com/windowsatpservice/.default";
export const MDE_RESOURCE = "https://api.securitycenter.microsoft.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts the documented error body and returns it. */
export function assertStsError(res: HttpsResponse, status: number, error: string, code: number): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  const body = res.json();
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  assert.match(String(body.timestamp), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  assert.match(String(body.trace_id), GUID);
  assert.match(String(body.correlation_id), GUID);
  const description = String(body.error_description);
  const lines = description.split("\r\n");
  assert.equal(lines.length, 4, description);
  assert.match(lines[0] ?? "", new RegExp(`^AADSTS${code}: \\S`));
  assert.equal(lines[1], `Trace ID: ${String(body.trace_id)}`);
  assert.equal(lines[2], `Correlation ID: ${String(body.correlation_id)}`);
  assert.equal(lines[3], `Timestamp: ${String(body.timestamp)}`);
  assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
  return body;
}
