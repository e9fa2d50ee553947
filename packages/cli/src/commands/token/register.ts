/** `mde-partner token`: app-only access tokens and their inspection. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { TokenGetOptions, TokenInspectOptions } from "./run.js";

const GET = {
  v1: { flags: "--v1", description: "v1 endpoint (resource=)" },
  v2: { flags: "--v2", description: "v2 endpoint (scope=…/.default; the default)" },
  ...OUTPUT_FLAGS,
} satisfies Flags<TokenGetOptions>;

const INSPECT = {
  token: { flags: "--token <jwt>", description: "the token itself (prefer - and stdin: argv is visible to other users)" },
  tenant: { flags: "--tenant <id>", description: "the customer the token must belong to (with - or --token)" },
  require: { flags: "--require <permission>", description: "a role the token must carry (repeat, or comma-separate)", parse: collect },
  v1: { flags: "--v1", description: "get the tenant's token from the v1 endpoint" },
  v2: { flags: "--v2", description: "get the tenant's token from the v2 endpoint" },
  ...OUTPUT_FLAGS,
} satisfies Flags<TokenInspectOptions>;

export function register(token: Command, wiring: Wiring): void {
  addFlags(token.command("get").description("print a tenant's access token (for curl)").argument("<tenant-id>"), GET).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, options: TokenGetOptions) => m.runTokenGet(tenantId, options, ctx)));
  addFlags(
    token
      .command("inspect")
      .description("check a token: signature, issuer, audience, tenant, lifetime, roles (offline jwt.ms)")
      .argument("[tenant-id|-]", "a tenant (its current token), or - to read a token from stdin"),
    INSPECT,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, target: string | undefined, options: TokenInspectOptions) => m.runTokenInspect(target, options, ctx)));
}
