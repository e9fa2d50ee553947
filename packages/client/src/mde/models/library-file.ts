import type { MdeDateTime, ODataEntity } from "./common.js";

/** A live-response library file (mde-api.md §5.18). */
export interface LibraryFile extends ODataEntity {
  fileName: string;
  sha256: string | null;
  description: string | null;
  creationTime: MdeDateTime | null;
  lastUpdatedTime: MdeDateTime | null;
  createdBy: string | null;
  hasParameters: boolean | null;
  parametersDescription?: string | null;
}
