import pc from "picocolors";
import { check, reasonOf, type CheckResult, type CheckStatus } from "./doctor-check.js";
import { checkEnvironment } from "./doctor-env.js";
import { checkAgent, checkDataDir, checkPrivateKey, checkRepoConfig } from "./doctor-local.js";
import { checkGitHubApp, checkModelKey, checkRedis } from "./doctor-remote.js";

/** What `backend-agent doctor` is pointed at. */
export interface DoctorOptions {
  cwd: string;
  /** The process environment; `.env` in `cwd` fills in what it leaves unset, as for the server. */
  env: Record<string, string | undefined>;
  /** `--config <file>`: the repository settings file to check instead of the one in `cwd`'s repository. */
  config?: string | undefined;
  color: boolean;
}

const SYMBOL: Record<CheckStatus, string> = { ok: "✓", fail: "✗", warn: "!", skip: "-" };
const PAINT: Record<CheckStatus, (text: string) => string> = { ok: pc.green, fail: pc.red, warn: pc.yellow, skip: pc.dim };

/** One line: symbol, what was checked, what was found and what to do. */
export function formatCheck(result: CheckResult, color: boolean): string {
  const symbol = SYMBOL[result.status];
  return `${color ? PAINT[result.status](symbol) : symbol} ${result.label}: ${result.message}`;
}

/**
 * `backend-agent doctor`: checks what a server needs, in the order a newcomer sets
 * it up, one line per check, and returns the exit code: 0 when no check failed
 * (warnings and skipped checks do not fail), 1 otherwise. Network checks give up
 * after a few seconds and name the host they tried; no secret value is printed.
 */
export async function runDoctor(options: DoctorOptions, write: (line: string) => void): Promise<number> {
  const results: CheckResult[] = [];
  const emit = (result: CheckResult) => {
    results.push(result);
    write(formatCheck(result, options.color));
  };
  const { env, results: envResults, agentFileSet } = checkEnvironment(options.cwd, options.env);
  envResults.forEach(emit);
  const { result: keyResult, key } = await checkPrivateKey(env);
  // The network checks wait at the same time, so an unreachable network costs one timeout, not three; the lines keep their order.
  const settle = (label: string, pending: Promise<CheckResult>) => pending.catch((error: unknown) => check("fail", label, `unexpected error: ${reasonOf(error)}`));
  const remote = [settle("GitHub App", checkGitHubApp(env, key)), settle("model key", checkModelKey(env)), settle("Redis", checkRedis(env))];
  emit(keyResult);
  for (const result of remote) emit(await result);
  emit(await checkDataDir(env, options.cwd));
  emit(await checkAgent(env, options.cwd, agentFileSet));
  emit(await checkRepoConfig(options.cwd, options.config));
  const failed = results.filter((result) => result.status === "fail").length;
  write(failed === 0 ? "doctor: every required check passed" : `doctor: ${failed} check${failed === 1 ? "" : "s"} failed`);
  return failed === 0 ? 0 : 1;
}
