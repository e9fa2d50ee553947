// Shared setup for the Entra ID tests: an emulator on a private state directory
// (in-process unless served: curl, the libraries, browsers and Python need the
// socket), requests to it in-process or over HTTPS trusting the emulator's CA
// (never disabling verification).
import assert from "node:assert/strict";
import { request } from "node:https";
import { emulatorWorld, type EmulatorWorld, type WorldOptions } from "@mde-partner/test-kit";

export type StartedEmulator = EmulatorWorld;

export function startEmulator(options: WorldOptions = {}): Promise<StartedEmulator> {
  return emulatorWorld({ alertsPerTenant: 1, machinesPerTenant: 1, ...options });
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
  init: RequestInit = {},
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

type RequestInit = { method?: string; headers?: Record<string, string>; body?: string };

/** One request to the emulator: in-process, or over the socket (HTTPS, trusting only its CA) when it is served. */
export async function send(started: StartedEmulator, url: string, init: RequestInit = {}): Promise<HttpsResponse> {
  if (!started.fetch) return httpsRequest(url, started.ca, init);
  const res = await started.fetch(url, { method: init.method ?? "GET", headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
  const text = await res.text();
  const headers: HttpsResponse["headers"] = Object.fromEntries(res.headers);
  if (res.headers.has("set-cookie")) headers["set-cookie"] = res.headers.getSetCookie();
  return { status: res.status, headers, text, json: <T>() => JSON.parse(text) as T };
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
  return send(started, `${started.info.loginUrl}/${tenant}/${path}`, {
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
