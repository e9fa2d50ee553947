import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** Response action type (mde-api.md §6.3). */
export type MachineActionType = OpenEnum<
  | "RunAntiVirusScan"
  | "Offboard"
  | "LiveResponse"
  | "CollectInvestigationPackage"
  | "Isolate"
  | "Unisolate"
  | "StopAndQuarantineFile"
  | "RestrictCodeExecution"
  | "UnrestrictCodeExecution"
>;
/** Action status; Succeeded, Failed, TimeOut and Cancelled are final (mde-api.md §6.3). */
export type MachineActionStatus = OpenEnum<"Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut" | "Cancelled">;
/** The statuses after which an action never changes again. */
export const FINAL_MACHINE_ACTION_STATUSES: readonly string[] = Object.freeze(["Succeeded", "Failed", "TimeOut", "Cancelled"]);

/** Isolation type (mde-api.md §5.3). */
export type IsolationType = OpenEnum<"Full" | "Selective" | "UnManagedDevice">;
/** AV scan type (mde-api.md §5.3). */
export type ScanType = OpenEnum<"Quick" | "Full">;

/** Live-response command parameter. */
export interface LiveResponseParam {
  key: OpenEnum<"FileName" | "ScriptName" | "Args" | "Path">;
  value: string;
}
/** A live-response command; PutFile, RunScript and GetFile in that order (mde-api.md §5.3). */
export interface LiveResponseCommand {
  type: OpenEnum<"PutFile" | "RunScript" | "GetFile">;
  params: LiveResponseParam[];
}
/** Per-command progress of a live-response action. */
export interface LiveResponseCommandResult {
  index: number;
  startTime: MdeDateTime | null;
  endTime: MdeDateTime | null;
  commandStatus: OpenEnum<"Created" | "Completed" | "Failed">;
  errors: string[];
  command: LiveResponseCommand;
}

/** The file a Stop-and-quarantine action targets. */
export interface RelatedFileInfo {
  fileIdentifier: string;
  fileIdentifierType: OpenEnum<"Sha1" | "Sha256" | "Md5">;
}

/** A response action (mde-api.md §6.3). */
export interface MachineAction extends ODataEntity {
  id: string;
  type: MachineActionType;
  scope?: string | null;
  requestor?: string | null;
  externalID?: string | null;
  requestSource?: string | null;
  commands?: LiveResponseCommandResult[];
  cancellationRequestor?: string | null;
  requestorComment?: string | null;
  cancellationComment?: string | null;
  status: MachineActionStatus;
  machineId?: string | null;
  computerDnsName?: string | null;
  creationDateTimeUtc?: MdeDateTime | null;
  cancellationDateTimeUtc?: MdeDateTime | null;
  lastUpdateDateTimeUtc?: MdeDateTime | null;
  /** List examples use this name instead of `lastUpdateDateTimeUtc` (DOC-CONFLICT, §8.6). */
  lastUpdateTimeUtc?: MdeDateTime | null;
  title?: string | null;
  relatedFileInfo?: RelatedFileInfo | null;
  errorHResult?: number | null;
}

/** Content of a RunScript result file downloaded from the result link (mde-api.md §5.3). */
export interface LiveResponseScriptTranscript {
  script_name: string;
  exit_code: number;
  script_output: string;
  script_errors: string;
}
