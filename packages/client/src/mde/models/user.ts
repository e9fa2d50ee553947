import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** A user profile (shape from examples; user.md has no table — mde-api.md §6.6). */
export interface User extends ODataEntity {
  /** `domain\user`. */
  id: string;
  accountName: string | null;
  accountDomain: string | null;
  /** Absent from the logon-users example. */
  accountSid?: string | null;
  firstSeen: MdeDateTime | null;
  lastSeen: MdeDateTime | null;
  mostPrevalentMachineId?: string | null;
  leastPrevalentMachineId?: string | null;
  logonTypes: OpenEnum<"Network" | "Interactive" | "RemoteInteractive" | "Batch" | "Service"> | null;
  logOnMachinesCount?: number | null;
  isDomainAdmin: boolean | null;
  isOnlyNetworkUser: boolean | null;
}
