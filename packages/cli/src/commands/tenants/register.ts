/** `mde-partner tenants`: customer tenants, their onboarding and verification. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, type Flags, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { OutputFlags, OutputOptions } from "../../output/output.js";
import type { TenantAddOptions } from "./run.js";
import type { TenantsVerifyOptions } from "./verify.js";

const ADD = {
  name: { flags: "--name <name>", description: "display name" },
  region: { flags: "--region <region>", description: "data region: us, eu, uk, au, swa, ina" },
  verify: { flags: "--no-verify", description: "do not check the customer's consent now (no token request)" },
  ...OUTPUT_FLAGS,
} satisfies Flags<Omit<TenantAddOptions, "db">>;

const REMOVE = {
  yes: { flags: "-y, --yes", description: "do not ask" },
  ...OUTPUT_FLAGS,
} satisfies Flags<{ yes?: boolean } & OutputOptions>;

const VERIFY = {
  all: { flags: "--all", description: "every added tenant (the default without a tenant id)" },
  require: {
    flags: "--require <permission>",
    description: "permissions the tenant must have granted (default: from init --for)",
    parse: collect,
  },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<Omit<TenantsVerifyOptions, "tenant" | "db">>;

export function register(tenants: Command, wiring: Wiring): void {
  addFlags(tenants.command("add").argument("<tenant-id>", "the customer's Directory (tenant) ID"), ADD).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, options: TenantAddOptions) => m.runTenantsAdd(tenantId, options, ctx)));
  addFlags(tenants.command("list").description("added tenants with their state"), STREAM_OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags) => m.runTenantsList(options, ctx)));
  addFlags(tenants.command("remove").argument("<tenant-id>"), REMOVE)
    .description("remove a tenant and its synced data")
    .action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, options: { yes?: boolean } & OutputOptions) => m.runTenantsRemove(tenantId, options, ctx)));
  addFlags(
    tenants
      .command("verify")
      .description("token + inspection + one API probe per tenant; records the state and says what to do")
      .argument("[tenant-id]"),
    VERIFY,
  ).action(lazyAction(wiring, () => import("./verify.js"), (m, ctx, tenantId: string | undefined, options: TenantsVerifyOptions) => m.runTenantsVerify(tenantId, options, ctx)));
}
