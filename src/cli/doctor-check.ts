/** The outcome of one `backend-agent doctor` check. */
export type CheckStatus = "ok" | "fail" | "warn" | "skip";

/** One line of the doctor's report: what was checked, what was found and, when not ok, what to do. */
export interface CheckResult {
  status: CheckStatus;
  label: string;
  message: string;
}

/** Builds a {@link CheckResult}. */
export const check = (status: CheckStatus, label: string, message: string): CheckResult => ({ status, label, message });

/** How long any network check waits: a doctor that hangs tells nobody anything. */
export const NETWORK_TIMEOUT_MS = 5_000;

/** The message of an error, with the innermost network reason (`connect ECONNREFUSED …`) rather than "fetch failed", and no stack. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return `no answer within ${NETWORK_TIMEOUT_MS / 1000} s`;
  let inner: Error = error;
  while (inner.cause instanceof Error && inner !== inner.cause) inner = inner.cause;
  const code = (inner as NodeJS.ErrnoException).code;
  const message = inner.message.split("\n")[0] ?? inner.message;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
