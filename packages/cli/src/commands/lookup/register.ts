/** `mde-partner lookup`: a file, IP, domain or user across the customer tenants. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, concurrencyFlag, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { LookupKind, LookupOptions } from "./run.js";

const LOOKUP = {
  ...TENANT_FLAGS,
  lookBackHours: { flags: "--look-back-hours <n>", description: "statistics window in hours, 1–720 (the service's default: 30 days)" },
  ...concurrencyFlag("4"),
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<LookupOptions>;

const KINDS: ReadonlyArray<{ kind: LookupKind; argument: string; description: string }> = [
  { kind: "file", argument: "<sha1|sha256>", description: "a file by SHA-1 or SHA-256: the file, its prevalence, first/last seen, related alerts and machines per tenant" },
  { kind: "ip", argument: "<ip>", description: "an IP address: prevalence, first/last seen and related alerts per tenant" },
  { kind: "domain", argument: "<domain>", description: "a domain: prevalence, first/last seen, related alerts and machines per tenant" },
  { kind: "user", argument: "<name>", description: "a user by account name (not UPN): related alerts and machines per tenant" },
];

export function register(lookup: Command, wiring: Wiring): void {
  for (const { kind, argument, description } of KINDS) {
    addFlags(lookup.command(kind).description(`${description} (tenants where it is unknown are counted, not listed)`).argument(argument), LOOKUP).action(
      lazyAction(wiring, () => import("./run.js"), (m, ctx, value: string, options: LookupOptions) => m.runLookup(kind, value, options, ctx)),
    );
  }
}
