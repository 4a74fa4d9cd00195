/**
 * Processes and readings the benchmarks share: the ack load process, reference servers
 * in processes of their own, and CPU time read from /proc (Linux).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The load process (bench/ack-load.ts): `measure` sends `count` signed deliveries at `concurrency` and resolves with the sorted latencies. */
export function startLoad(count: number, concurrency: number): { measure(url: string): Promise<number[]>; stop(): void } {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./ack-load.ts", import.meta.url))], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  let prNumber = 0;
  return {
    async measure(url) {
      child.stdin!.write(`${url} ${count} ${concurrency} ${(prNumber += count)}\n`);
      const line = await lines.next();
      if (line.done) throw new Error("the load process ended");
      return JSON.parse(line.value) as number[];
    },
    stop: () => child.kill("SIGKILL"),
  };
}

/**
 * CPU seconds (user + system) used so far by a process (all its threads), or by one of
 * its threads when `thread` is given (the main thread's id is the pid); NaN off Linux.
 */
export function cpuSeconds(pid: number | undefined, thread?: number): number {
  const stat = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  if (pid === undefined || !existsSync(stat)) return NaN;
  const fields = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in MB. */
export function peakRssMb(pid: number | undefined): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(hwm?.[1] ?? NaN) / 1024;
}

/** A server under measurement. */
export interface Server {
  url: string;
  pid: number | undefined;
  /** Waits until its workers are idle, so each round starts alike (none for a server without workers). */
  drain?: (() => Promise<void>) | undefined;
  stop(): Promise<unknown>;
}

/** Starts a reference server (a script in bench/ that prints `listening <port>`) in its own process. */
export async function startScript(file: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(file, import.meta.url))], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout?.setEncoding("utf8").on("data", (s: string) => { const m = /listening (\d+)/.exec(s); if (m?.[1]) resolve(m[1]); }));
  child.stdout?.removeAllListeners("data").resume();
  return { url: `http://127.0.0.1:${port}/api/github/webhooks`, pid: child.pid, stop: async () => child.kill("SIGKILL") };
}

/** Waits until the app's workers have nothing left, so each round starts alike. */
export async function drained(appUrl: string): Promise<void> {
  for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const ready = (await (await fetch(`${appUrl}/readyz`)).json()) as { jobs: { waiting: number; running: number } };
    if (ready.jobs.waiting + ready.jobs.running === 0) return;
  }
  throw new Error("the queue did not drain in 120 s");
}
