/**
 * CPU a log line costs the process in JSON mode, Probot's logger against the app's
 * (src/log.ts), each in its own process writing to a pipe that this process drains,
 * as stdout into a log collector. Every webhook logs one such line before its answer.
 * Prints figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LINES = 20_000;
const ROUNDS = 3;

/** CPU microseconds a line, as the child measured it. */
async function measure(kind: "probot" | "ours"): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./log-writer.ts", import.meta.url)), kind, String(LINES)], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.resume();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  await new Promise((resolve) => child.once("exit", resolve));
  const micros = Number(stderr.trim().split("\n").at(-1));
  if (!Number.isFinite(micros)) throw new Error(`log writer (${kind}) failed: ${stderr}`);
  return micros;
}

/** Runs both loggers ROUNDS times, alternating, and prints the medians. */
export async function benchLogLines(): Promise<void> {
  const results: Record<"probot" | "ours", number[]> = { probot: [], ours: [] };
  for (let round = 0; round < ROUNDS; round++) for (const kind of ["probot", "ours"] as const) results[kind].push(await measure(kind));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\n## CPU a JSON log line (${LINES} lines, a child logger each, stdout a pipe; median of ${ROUNDS} rounds)`);
  console.log("| logger | µs a line | rounds |\n|---|---|---|");
  console.log(`| Probot's (Transform stream, synchronous stdout) | ${median(results.probot).toFixed(1)} | ${results.probot.join(", ")} |`);
  console.log(`| the app's (src/log.ts: pino, asynchronous stdout) | ${median(results.ours).toFixed(1)} | ${results.ours.join(", ")} |`);
}
