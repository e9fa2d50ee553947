/** `mde-partner tenants`: customer tenants, their onboarding and verification. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
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

export function register(tenants: Command, { result, context }: Wiring): void {
  addFlags(tenants.command("add").argument("<tenant-id>", "the customer's Directory (tenant) ID"), ADD).action(
    async (tenantId: string, options: TenantAddOptions) => {
      const { runTenantsAdd } = await import("./run.js");
      result.exitCode = await runTenantsAdd(tenantId, options, context());
    },
  );
  addFlags(tenants.command("list").description("added tenants with their state"), STREAM_OUTPUT_FLAGS).action(async (options: OutputFlags) => {
    const { runTenantsList } = await import("./run.js");
    result.exitCode = await runTenantsList(options, context());
  });
  addFlags(tenants.command("remove").argument("<tenant-id>"), REMOVE)
    .description("remove a tenant and its synced data")
    .action(async (tenantId: string, options: { yes?: boolean } & OutputOptions) => {
      const { runTenantsRemove } = await import("./run.js");
      result.exitCode = await runTenantsRemove(tenantId, options, context());
    });
  addFlags(
    tenants
      .command("verify")
      .description("token + inspection + one API probe per tenant; records the state and says what to do")
      .argument("[tenant-id]"),
    VERIFY,
  ).action(async (tenantId: string | undefined, options: TenantsVerifyOptions) => {
    const { runTenantsVerify } = await import("./verify.js");
    result.exitCode = await runTenantsVerify(tenantId, options, context());
  });
}
