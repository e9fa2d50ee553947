/** `mde-partner tvm`: vulnerability management of customer tenants, merged and sorted worst first. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, concurrencyFlag, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { MachinesByCveOptions, TvmKind, TvmOptions } from "./run.js";

const FILTERS = {
  severity: { flags: "--severity <level>", description: "vulnerabilities: Low, Medium, High, Critical (repeat or comma-separate)", parse: collect },
  cve: { flags: "--cve <id>", description: "vulnerabilities: only these CVEs (repeat or comma-separate)", parse: collect },
  machine: { flags: "--machine <machine-id>", description: "only this machine's (one tenant)" },
  software: { flags: "--software <id>", description: "missing-kbs: only this software product's (e.g. microsoft-_-windows_10)" },
  top: { flags: "--top <n>", description: "the first N rows after sorting, across tenants" },
} satisfies Flags<Pick<TvmOptions, "severity" | "cve" | "machine" | "software" | "top">>;

const KINDS: ReadonlyArray<{ kind: TvmKind; description: string; flags: ReadonlyArray<keyof typeof FILTERS> }> = [
  { kind: "vulnerabilities", description: "CVEs, by exposed machines (most first)", flags: ["severity", "cve", "machine", "top"] },
  { kind: "software", description: "software inventory, by exposed machines and weaknesses", flags: ["machine", "top"] },
  { kind: "recommendations", description: "security recommendations, by severity score", flags: ["machine", "top"] },
  {
    kind: "missing-kbs",
    description: "missing security updates (KBs), by machines missing them (a tenant's: merged over its 50 software products with most weaknesses)",
    flags: ["machine", "software", "top"],
  },
  { kind: "exposure-score", description: "exposure score per tenant, highest (worst) first", flags: [] },
  { kind: "secure-score", description: "device secure (configuration) score per tenant, lowest (worst) first", flags: [] },
];

const BY_CVE = { ...TENANT_FLAGS, ...concurrencyFlag("4"), ...STREAM_OUTPUT_FLAGS } satisfies Flags<MachinesByCveOptions>;

export function register(tvm: Command, wiring: Wiring): void {
  for (const { kind, description, flags } of KINDS) {
    const chosen = Object.fromEntries(flags.map((f) => [f, FILTERS[f]]));
    addFlags(
      tvm.command(kind).description(`${description}; one tenant, or --all merged with a tenant column`).argument("[tenant-id]"),
      { ...TENANT_FLAGS, ...chosen, ...concurrencyFlag("4"), ...STREAM_OUTPUT_FLAGS },
    ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string | undefined, options: TvmOptions) => m.runTvm(kind, tenantId, options, ctx)));
  }
  addFlags(tvm.command("machines-by-cve").description("the machines exposed to a CVE in every tenant (tenants without it are counted)").argument("<cve>"), BY_CVE).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, cve: string, options: MachinesByCveOptions) => m.runMachinesByCve(cve, options, ctx)),
  );
}
