/** `mde-partner library`: the live response library (scripts and files) of customer tenants. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, concurrencyFlag, type Flags, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { LibraryDeleteOptions, LibraryListOptions, LibraryUploadOptions } from "./run.js";

const LIST = { ...TENANT_FLAGS, ...concurrencyFlag("4"), ...STREAM_OUTPUT_FLAGS } satisfies Flags<LibraryListOptions>;

const UPLOAD = {
  name: { flags: "--name <file-name>", description: "the name in the library (default: the file's own name)" },
  description: { flags: "--description <text>", description: "what the file or script does" },
  parametersDescription: { flags: "--parameters-description <text>", description: "the script's parameters (marks it as taking parameters)" },
  override: { flags: "--override", description: "replace a library file of the same name" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<LibraryUploadOptions>;

const DELETE = {
  yes: { flags: "-y, --yes", description: "do not ask (required without a terminal)" },
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<LibraryDeleteOptions>;

export function register(library: Command, wiring: Wiring): void {
  addFlags(library.command("list").description("the library files of the tenants"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: LibraryListOptions) => m.runLibraryList(options, ctx)));
  addFlags(library.command("upload").description("upload a script or file (≤ 20 MB) to a tenant's library (audited)").argument("<tenant-id>").argument("<file>"), UPLOAD).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, file: string, options: LibraryUploadOptions) => m.runLibraryUpload(tenantId, file, options, ctx)));
  addFlags(library.command("delete").description("delete a file from a tenant's library (audited; asks first, needs --yes without a terminal)").argument("<tenant-id>").argument("<file-name>"), DELETE).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, name: string, options: LibraryDeleteOptions) => m.runLibraryDelete(tenantId, name, options, ctx)));
}
