/**
 * The rule engine inside the long-running commands (`sync --watch`, `worker`,
 * `serve`) and after `sync` / `sync --once`: a notifier over the store, its
 * secret references read from this process's environment or files when a
 * message is sent (never stored, never printed).
 */
import { createNotifier, type Notifier, type NotifyPassResult, type SecretResolver, type Store } from "@mde-partner/sync";
import { secretFromEnv, secretFromFile } from "../../secret-reference.js";

/** Seconds between notification passes of the long-running commands. */
export const NOTIFY_PASS_SECONDS = 10;

/** Resolves `env:NAME` and `file:/path` references. */
export function secretResolver(env: NodeJS.ProcessEnv): SecretResolver {
  return (ref) => {
    if (ref.startsWith("env:")) return secretFromEnv(env, ref.slice(4), "notification secret", { hint: `export ${ref.slice(4)}=… where the rules run (sync, worker, serve)` });
    if (ref.startsWith("file:")) return secretFromFile(ref.slice(5), "notification secret");
    throw new TypeError("a secret reference is env:NAME or file:/path");
  };
}

export function createCliNotifier(store: Store, env: NodeJS.ProcessEnv): Notifier {
  return createNotifier({ store, resolveSecret: secretResolver(env) });
}

/** One line about a pass that did something (nothing secret: errors name status codes and references). */
export function notifyPassLine(r: NotifyPassResult): string | undefined {
  if (r.delivered === 0 && r.failures.length === 0 && r.brokenRules.length === 0) return undefined;
  const parts = [`notify: ${r.matched} matching alert version(s), ${r.delivered} message(s) delivered`];
  for (const f of r.failures.slice(0, 5)) parts.push(`${f.rule} → ${f.destination} failed (${f.error})${f.permanent ? "" : ", retried later"}`);
  if (r.brokenRules.length > 0) parts.push(`rules not readable: ${r.brokenRules.join(", ")}`);
  return parts.join("; ");
}

/** Starts notification passes every {@link NOTIFY_PASS_SECONDS}; `stop()` ends them. */
export function startNotifier(store: Store, env: NodeJS.ProcessEnv, onLine: (line: string) => void, notifier: Notifier = createCliNotifier(store, env)): { stop(): Promise<void> } {
  notifier.start(NOTIFY_PASS_SECONDS * 1000, (r) => {
    const line = notifyPassLine(r);
    if (line) onLine(line);
  });
  return { stop: () => notifier.stop() };
}

/** One pass after a `sync` run, when there are rules; returns its line (if any). */
export async function notifyAfterSync(store: Store, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if ((await store.listNotifyRules()).length === 0) return undefined;
  try {
    return notifyPassLine(await createCliNotifier(store, env).runOnce());
  } catch (error) {
    return `notify: the pass stopped: ${(error as Error).message.split("\n")[0]}`;
  }
}
