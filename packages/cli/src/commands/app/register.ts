/** `mde-partner app`: the partner app registration's least-privilege permissions. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { AppOptions } from "./run.js";

const FOR = {
  for: {
    flags: "--for <capabilities>",
    description: "what the app does: alerts:read,machines:isolate,hunting:run,… (default: what this CLI uses)",
    parse: collect,
  },
} satisfies Flags<Pick<AppOptions, "for">>;

export function register(app: Command, wiring: Wiring): void {
  addFlags(app.command("permissions").description("the least-privilege WindowsDefenderATP permissions"), {
    ...FOR,
    ...OUTPUT_FLAGS,
  } satisfies Flags<Omit<AppOptions, "appId">>).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AppOptions) => m.runAppPermissions(options, ctx)));
  addFlags(app.command("manifest").description("the app manifest's requiredResourceAccess fragment (JSON)"), FOR).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AppOptions) => m.runAppManifest(options, ctx)));
  addFlags(app.command("az").description("the az CLI commands that add the permissions"), {
    ...FOR,
    appId: { flags: "--app-id <guid>", description: "app id (default: the configured one)" },
    ...OUTPUT_FLAGS,
  } satisfies Flags<AppOptions>).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AppOptions) => m.runAppAz(options, ctx)));
}
