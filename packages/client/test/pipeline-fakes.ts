/** Test doubles for the pipeline tests: fake time, a scripted fetch, a fake TokenCredential. */
import { createPartnerClient, type PartnerClientOptions } from "@mde-partner/client";

export const CLIENT_ID = "11111111-2222-4333-8444-555555555555";
export const TENANT_A = "aaaaaaaa-0000-4000-8000-000000000001";
export const TENANT_B = "bbbbbbbb-0000-4000-8000-000000000002";

export function fakeTime(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      const wake = now + ms;
      // Let everything that is runnable now run first, as it would in real time; then time passes.
      await new Promise((r) => setImmediate(r));
      now = Math.max(now, wake);
    },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    sleeps,
  };
}

/** An unsigned JWT-shaped token carrying `roles` (the pipeline only decodes it for 403 diagnostics). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256", typ: "JWT" })}.${b(claims)}.c2ln`;
}

/** A TokenCredential that mints numbered fake tokens and counts calls. */
export function fakeCredential(roles: string[] = ["Alert.Read.All", "Machine.Isolate", "AdvancedQuery.Read.All"]) {
  const calls: Array<{ scopes: string | string[]; tenantId: string | undefined }> = [];
  return {
    calls,
    async getToken(scopes: string | string[], options?: { tenantId?: string }) {
      calls.push({ scopes, tenantId: options?.tenantId });
      return { token: fakeJwt({ n: calls.length, tid: options?.tenantId, roles }), expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

export interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  at: number;
}

type Reply = Response | Error | ((seen: Seen, init: RequestInit | undefined) => Response | Promise<Response>);

/** A fetch that answers from a script (the last entry repeats) and records what it saw. */
export function scriptedFetch(script: Reply[], time?: { now: number }) {
  const seen: Seen[] = [];
  let i = 0;
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const s: Seen = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : undefined,
      at: time?.now ?? Date.now(),
    };
    seen.push(s);
    const reply = script[Math.min(i++, script.length - 1)];
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply(s, init);
    return (reply as Response).clone();
  };
  return { fetch, seen };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export const mdeError = (status: number, code: string, message = "m", headers: Record<string, string> = {}) =>
  json(status, { error: { code, message, target: "c0rre1a7-0000-4000-8000-000000000000" } }, headers);

/** A network failure shaped like undici's (`TypeError: fetch failed` with a coded cause). */
export function networkError(code: string): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
}

export function pipelineClient(extra: Partial<PartnerClientOptions> & { fetch: PartnerClientOptions["fetch"] }, time = fakeTime()) {
  return fakeTimePartner(fakeCredential(), extra, time);
}

/** A partner client over `credential` on the fake clock `time`, with retry jitter fixed at the middle. */
export function fakeTimePartner<C extends PartnerClientOptions["credential"]>(
  credential: C,
  extra: Partial<PartnerClientOptions>,
  time: ReturnType<typeof fakeTime>,
) {
  const partner = createPartnerClient({
    clientId: CLIENT_ID,
    credential,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    ...extra,
  });
  return { partner, credential, time };
}

export const listAlerts = {
  method: "GET" as const,
  path: "/api/alerts",
  operation: "ListAlerts",
  permissions: ["Alert.Read.All"],
  idempotent: true,
  budget: "alerts",
};
export const isolate = {
  method: "POST" as const,
  path: "/api/machines/abc/isolate",
  operation: "IsolateMachine",
  permissions: ["Machine.Isolate"],
  idempotent: false,
  budget: "machine-actions",
  body: { Comment: "c", IsolationType: "Full" },
};
