/** Raised for control requests that name something that does not exist or make no sense. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }
}
