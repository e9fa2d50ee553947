import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** A file profile (mde-api.md §6.7). */
export interface FileInfo extends ODataEntity {
  sha1: string | null;
  sha256: string | null;
  /** Present in examples only. */
  md5?: string | null;
  globalPrevalence: number | null;
  globalFirstObserved: MdeDateTime | null;
  globalLastObserved: MdeDateTime | null;
  size: number | null;
  fileType: string | null;
  isPeFile: boolean | null;
  filePublisher: string | null;
  fileProductName: string | null;
  signer: string | null;
  issuer: string | null;
  signerHash: string | null;
  isValidCertificate: boolean | null;
  determinationType: OpenEnum<"Unknown" | "Pua" | "Malware" | "Clean"> | null;
  determinationValue: string | null;
}
