import type { Context, MiddlewareHandler } from "hono";
import type { FaultTarget } from "./faults.js";
import type { JournalEntry } from "./journal.js";
import type { EmulatorState } from "./state.js";

/** What one request accumulates for its journal entry; handlers fill in the parts they know. */
export type JournalDraft = Partial<Omit<JournalEntry, "seq" | "time" | "endTime" | "method" | "path" | "status">>;

/** Hono environment shared by every route module of the emulator. */
export type AppEnv = {
  Variables: {
    journal: JournalDraft;
  };
};

export type AppContext = Context<AppEnv>;

/** Records every request in the journal once its response is known. */
export function journalMiddleware(state: EmulatorState): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const time = state.clock.now();
    const draft: JournalDraft = { kind: "other" };
    c.set("journal", draft);
    try {
      await next();
    } finally {
      const url = new URL(c.req.url);
      const userAgent = c.req.header("user-agent");
      state.journal.add({
        ...draft,
        ...(userAgent ? { userAgent } : {}),
        kind: draft.kind ?? "other",
        time,
        endTime: state.clock.now(),
        method: c.req.method,
        path: url.pathname + url.search,
        status: c.res?.status ?? 500,
      });
    }
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies the injected faults for this request: waits for added latency, then
 * either returns undefined (carry on) or a failure rendered by `render`.
 * A `dropConnection` fault destroys the socket (a network error for the client).
 */
export async function applyFaults(
  state: EmulatorState,
  c: AppContext,
  target: Exclude<FaultTarget, "*">,
  tenantId: string | undefined,
  render: (status: number, retryAfterSec: number | undefined) => Response,
): Promise<Response | undefined> {
  const request: { target: typeof target; path: string; tenantId?: string } = { target, path: new URL(c.req.url).pathname };
  if (tenantId !== undefined) request.tenantId = tenantId;
  const decision = state.faults.decide(request);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  const fail = decision.fail;
  if (!fail) return undefined;
  c.get("journal").error = `fault:${fail.ruleId}`;
  if (fail.dropConnection) {
    const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
    if (incoming?.socket) {
      incoming.socket.destroy();
      return new Response(null, { status: 599 });
    }
    throw new TypeError("fetch failed: connection reset by injected fault");
  }
  const response = render(fail.status, fail.retryAfterSec);
  if (fail.retryAfterSec !== undefined) response.headers.set("Retry-After", String(fail.retryAfterSec));
  return response;
}
