/** `mde-partner consent`: admin consent links for customer tenants. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { ConsentLinkOptions } from "./run.js";

const LINK = {
  v2: { flags: "--v2", description: "tenant-specific v2 admin-consent link with a one-time state" },
  redirectUri: { flags: "--redirect-uri <url>", description: "redirect URI registered on the app (with --v2)" },
  validHours: { flags: "--valid-hours <n>", description: "how long the v2 link's state stays valid", default: "168" },
  ...OUTPUT_FLAGS,
} satisfies Flags<Omit<ConsentLinkOptions, "db">>;

export function register(consent: Command, wiring: Wiring): void {
  addFlags(
    consent.command("link").description("the link to send to the customer's Global Administrator").argument("<tenant-id>"),
    LINK,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, options: ConsentLinkOptions) => m.runConsentLink(tenantId, options, ctx)));
}
