/** The machine response actions: CLI verb → engine action, with the `--type` values it takes (mde-api.md §5.3). */
import type { ResponseActionKind } from "@mde-partner/sync";

export const MACHINE_ACTIONS: Record<string, { kind: ResponseActionKind; verb: string; types?: string[] }> = {
  isolate: { kind: "isolate", verb: "Isolate", types: ["Full", "Selective", "UnManagedDevice"] },
  unisolate: { kind: "unisolate", verb: "Release from isolation" },
  scan: { kind: "scan", verb: "Run an antivirus scan on", types: ["Quick", "Full"] },
  collect: { kind: "collect", verb: "Collect an investigation package from" },
  restrict: { kind: "restrict", verb: "Restrict app execution on" },
  unrestrict: { kind: "unrestrict", verb: "Remove the app restriction from" },
};
