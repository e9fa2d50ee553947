/** `mde-partner demo`: the whole partner flow on the embedded emulator. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags } from "../../flags.js";
import type { DemoOptions } from "./run.js";

const FLAGS = {
  serve: { flags: "--no-serve", description: "end after the summary" },
  tenants: { flags: "--tenants <n>", description: "customer tenants besides the two special ones", default: "3" },
  alertsPerTenant: { flags: "--alerts-per-tenant <n>", description: "alerts generated per tenant", default: "200" },
  interval: { flags: "--interval <duration>", description: "sync interval while serving", default: "10s" },
} satisfies Flags<DemoOptions>;

export function register(demo: Command, wiring: Wiring): void {
  addFlags(demo, FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: DemoOptions) => m.runDemo(options, ctx)));
}
