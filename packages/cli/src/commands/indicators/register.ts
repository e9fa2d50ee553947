/** `mde-partner indicators`: custom threat indicators. */
import type { Command } from "commander";
import type { Wiring } from "../../context.js";
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

export function register(indicators: Command, { result, context }: Wiring): void {
  addFlags(indicators.command("list"), { ...TENANT_FLAGS, ...STREAM_OUTPUT_FLAGS }).action(
    async (options: OutputFlags & TenantSelectionOptions) => {
      const { runIndicatorsList } = await import("./run.js");
      result.exitCode = await runIndicatorsList(options, context());
    },
  );
  addFlags(indicators.command("add").argument("<tenant-id>"), ADD).action(async (tenantId: string, options: IndicatorAddOptions) => {
    const { runIndicatorsAdd } = await import("./run.js");
    result.exitCode = await runIndicatorsAdd(tenantId, options, context());
  });
  addFlags(indicators.command("remove").argument("<tenant-id>").argument("<indicator-id>"), OUTPUT_FLAGS).action(
    async (tenantId: string, id: string, options: OutputOptions) => {
      const { runIndicatorsRemove } = await import("./run.js");
      result.exitCode = await runIndicatorsRemove(tenantId, id, options, context());
    },
  );
}
