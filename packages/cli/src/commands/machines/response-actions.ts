/** The machine response actions: CLI verb → engine action, with the `--type` values it takes (mde-api.md §5.3). */
import type { ResponseActionKind } from "@mde-partner/sync";

export interface MachineActionSpec {
  kind: ResponseActionKind;
  verb: string;
  types?: string[];
  /** Takes the file's SHA-1 (`--sha1`, required). */
  sha1?: true;
  /**
   * Cannot be undone from here (offboarding: the machine stops reporting until it is onboarded
   * again on the device itself): asked for on a terminal, refused without one unless `--yes`.
   */
  irreversible?: true;
}

export const MACHINE_ACTIONS: Record<string, MachineActionSpec> = {
  isolate: { kind: "isolate", verb: "Isolate", types: ["Full", "Selective", "UnManagedDevice"] },
  unisolate: { kind: "unisolate", verb: "Release from isolation" },
  scan: { kind: "scan", verb: "Run an antivirus scan on", types: ["Quick", "Full"] },
  collect: { kind: "collect", verb: "Collect an investigation package from" },
  restrict: { kind: "restrict", verb: "Restrict app execution on" },
  unrestrict: { kind: "unrestrict", verb: "Remove the app restriction from" },
  "stop-and-quarantine": { kind: "quarantine", verb: "Stop and quarantine a file on", sha1: true },
  offboard: { kind: "offboard", verb: "Offboard (irreversible)", irreversible: true },
};
