/** `mde-partner incidents`: Microsoft Graph incidents from the store. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { IncidentsListOptions } from "./run.js";

const LIST = {
  status: {
    flags: "--status <status>",
    description: "active, inProgress, awaitingAction, resolved or redirected (comma-separate several)",
  },
  top: { flags: "--top <n>", description: "at most this many" },
  ...DB_FLAG,
  ...TENANT_FLAGS,
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<IncidentsListOptions>;

export function register(incidents: Command, wiring: Wiring): void {
  addFlags(incidents.command("list").description("incidents across tenants, newest first"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: IncidentsListOptions) => m.runIncidentsList(options, ctx)));
}
