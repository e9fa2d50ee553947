/** `mde-partner groups`: customer groups, the tenant sets `--group` selects and access is scoped to. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, DB_FLAG, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS } from "../../flags.js";
import type { OutputFlags, OutputOptions } from "../../output/output.js";

type Db = { db?: string };

export function register(groups: Command, wiring: Wiring): void {
  addFlags(
    groups
      .command("add")
      .description("create a customer group, or add tenants to it")
      .argument("<name>", 'group name: letters, digits, ".", "_", "-"')
      .argument("<tenant-id...>", "tenants to add (already added with mde-partner tenants add)"),
    { ...DB_FLAG, ...OUTPUT_FLAGS },
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, ids: string[], options: OutputOptions & Db) => m.runGroupsAdd(name, ids, options, ctx)));
  addFlags(groups.command("list").description("the customer groups and their tenants"), { ...DB_FLAG, ...STREAM_OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags & Db) => m.runGroupsList(options, ctx)),
  );
  addFlags(
    groups
      .command("remove")
      .description("take tenants out of a group; without tenant ids, remove the group (its grants go and its API tokens are revoked)")
      .argument("<name>")
      .argument("[tenant-id...]"),
    { ...DB_FLAG, ...OUTPUT_FLAGS },
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, ids: string[], options: OutputOptions & Db) => m.runGroupsRemove(name, ids, options, ctx)));
}
