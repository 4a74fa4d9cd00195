/**
 * An error whose message is safe and useful to show on the pull request (check-run
 * summary). Anything else is reported with a generic line and logged in full.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    /** Extra markdown (a table of problems, a hint) for the check summary. */
    readonly details?: string,
  ) {
    super(message);
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
