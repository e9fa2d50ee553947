/** `mde-partner indicators`: custom threat indicators. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS, TENANT_FLAGS, type TenantSelectionOptions } from "../../flags.js";
import type { OutputFlags, OutputOptions } from "../../output/output.js";
import type { IndicatorAddOptions } from "./run.js";

const ADD = {
  type: { flags: "--type <type>", description: "FileSha1, FileSha256, FileMd5, CertificateThumbprint, IpAddress, DomainName, Url" },
  value: { flags: "--value <value>", description: "the indicator value" },
  action: { flags: "--action <action>", description: "Warn, Block, Audit, BlockAndRemediate, Allowed" },
  title: { flags: "--title <title>", description: "title" },
  description: { flags: "--description <text>", description: "description (default: the title)" },
  severity: { flags: "--severity <level>", description: "Informational, Low, Medium, High" },
  expires: { flags: "--expires <time>", description: "ISO time or a duration from now (30d)" },
  ...OUTPUT_FLAGS,
} satisfies Flags<IndicatorAddOptions>;

export function register(indicators: Command, wiring: Wiring): void {
  addFlags(indicators.command("list"), { ...TENANT_FLAGS, ...STREAM_OUTPUT_FLAGS }).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputFlags & TenantSelectionOptions) => m.runIndicatorsList(options, ctx)));
  addFlags(indicators.command("add").argument("<tenant-id>"), ADD).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, options: IndicatorAddOptions) => m.runIndicatorsAdd(tenantId, options, ctx)));
  addFlags(indicators.command("remove").argument("<tenant-id>").argument("<indicator-id>"), OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, id: string, options: OutputOptions) => m.runIndicatorsRemove(tenantId, id, options, ctx)));
}
