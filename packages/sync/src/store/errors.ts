/** Stable codes of {@link StoreError}; code branches on these, never on message text. */
export type StoreErrorCode =
  | "ERR_STORE_SCHEMA_NEWER"
  | "ERR_STORE_INVALID_ROW"
  | "ERR_STORE_TENANT_UNKNOWN"
  | "ERR_STORE_CLOSED"
  | "ERR_STORE_WRITER"
  /** An alert page's body handed to the store unparsed is not an OData collection (not JSON, or no `value` array). */
  | "ERR_STORE_PAGE_BODY"
  /** A customer group named by the caller does not exist. */
  | "ERR_STORE_GROUP_UNKNOWN"
  /** An API token that is not revoked already has this name. */
  | "ERR_STORE_NAME_TAKEN"
  /** Approvals (approvals.ts): no such request. */
  | "approval.unknown"
  /** The requester tried to approve or reject their own request (four eyes). */
  | "approval.self"
  /** The request was already decided (or executed). */
  | "approval.not-pending"
  /** The request expired before the decision; it is now marked expired. */
  | "approval.expired"
  /** `finishApproval` on a request that is not approved. */
  | "approval.not-approved";

/**
 * Error raised by the store with a stable `code`. Caller mistakes (a malformed
 * URL, a bad option) are `TypeError`s instead.
 *
 * @example
 * try { await openStore({ url }) } catch (e) { if (e instanceof StoreError && e.code === "ERR_STORE_SCHEMA_NEWER") … }
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
