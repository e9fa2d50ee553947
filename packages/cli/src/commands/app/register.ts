/** `mde-partner app`: the partner app registration's least-privilege permissions. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { AppOptions } from "./run.js";

const FOR = {
  for: {
    flags: "--for <capabilities>",
    description: "what the app does: alerts:read,machines:isolate,hunting:run,… (default: what this CLI uses)",
    parse: collect,
  },
} satisfies Flags<Pick<AppOptions, "for">>;

export function register(app: Command, { result, context }: Wiring): void {
  addFlags(app.command("permissions").description("the least-privilege WindowsDefenderATP permissions"), {
    ...FOR,
    ...OUTPUT_FLAGS,
  } satisfies Flags<Omit<AppOptions, "appId">>).action(async (options: AppOptions) => {
    const { runAppPermissions } = await import("./run.js");
    result.exitCode = await runAppPermissions(options, context());
  });
  addFlags(app.command("manifest").description("the app manifest's requiredResourceAccess fragment (JSON)"), FOR).action(
    async (options: AppOptions) => {
      const { runAppManifest } = await import("./run.js");
      result.exitCode = await runAppManifest(options, context());
    },
  );
  addFlags(app.command("az").description("the az CLI commands that add the permissions"), {
    ...FOR,
    appId: { flags: "--app-id <guid>", description: "app id (default: the configured one)" },
    ...OUTPUT_FLAGS,
  } satisfies Flags<AppOptions>).action(async (options: AppOptions) => {
    const { runAppAz } = await import("./run.js");
    result.exitCode = await runAppAz(options, context());
  });
}
