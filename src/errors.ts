/**
 * An error whose message is safe and useful to show on the pull request (check-run
 * summary). Anything else is reported with a generic line and logged in full.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    /** Extra markdown (a table of problems, a hint) for the check summary. */
    readonly details?: string,
    /** `cause`: the error this one explains (an SDK or HTTP error), kept for the logs. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "UserFacingError";
  }
}

/** An error whose `.status` is an HTTP status (Octokit's RequestError, the SDK's APIError). */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The HTTP status and request id of an API error, looked for along the `cause`
 * chain (a {@link UserFacingError} wraps the SDK's `APIError`): what an operator
 * quotes to the provider. Empty when there is none.
 */
export function apiErrorFields(error: unknown): { status?: number; requestId?: string } {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const status = httpStatusOf(e);
    const requestId = "requestID" in e && typeof e.requestID === "string" ? e.requestID : undefined;
    if (status !== undefined || requestId !== undefined) return { ...(status !== undefined ? { status } : {}), ...(requestId ? { requestId } : {}) };
  }
  return {};
}
