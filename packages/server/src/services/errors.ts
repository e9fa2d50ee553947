/** Something asked for does not exist (404). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  readonly code = "not_found";
}

/** The request is wrong (400); the message says what to change. */
export class InputError extends Error {
  override name = "InputError";
  readonly code = "bad_request";
}

/** The operator may see this tenant but their role on it is too low for the request (403). */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  readonly code = "forbidden";
}
