/**
 * Does review work leave the webhook thread alone? The built app as its own process,
 * against the loopback fakes, once with reviews in-process (REVIEW_WORKERS=0, the
 * behaviour before worker threads: the reference row) and once in worker threads, in
 * the same run. For each: harmless webhooks (a PR comment that is no command) and a
 * GET /healthz every 100 ms, first idle (twice: the A/A control row shows the noise),
 * then while a 3,000-file review and ten ordinary ones run. Prints the webhook thread's
 * event-loop delay (perf_hooks.monitorEventLoopDelay through prom-client's
 * nodejs_eventloop_lag_* gauges, reset at each scrape), ack and /healthz latencies, and
 * the process's peak RSS. Asserts nothing.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { processEnv, spawnApp } from "../test/support/app-process.js";
import { startRig, type ProcessRig } from "../test/support/process-rig.js";

const INTERVAL_MS = 100;
const IDLE_MS = 10_000;
const ORDINARY = 10;
const BIG = { files: 3000, lines: 4 };

function files(prefix: string, count: number, lines: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    out[`backend/${prefix}${i % 25}/module_${i}.py`] = Array.from({ length: lines }, (_, l) => `value_${i}_${l} = compute(${l}, "${"x".repeat(l % 17)}")`).join("\n") + "\n";
  }
  return out;
}

const p99 = (sorted: number[]) => sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
const max = (sorted: number[]) => sorted.at(-1) ?? NaN;

/** The ticker process (ack-ticker.ts): one line in, one JSON line of sorted latencies out. */
function startTicker() {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./ack-ticker.ts", import.meta.url))], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async run(url: string, durationMs: number): Promise<{ ack: number[]; health: number[] }> {
      child.stdin!.write(`${url} ${INTERVAL_MS} ${durationMs}\n`);
      const { value } = await lines.next();
      return JSON.parse(String(value)) as { ack: number[]; health: number[] };
    },
    stop: () => child.kill(),
  };
}

/** The event-loop delay since the last scrape (the scrape resets prom-client's histogram), in ms. */
async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, "m").exec(text)?.[1] ?? NaN) * 1000;
  return { p99: gauge("nodejs_eventloop_lag_p99_seconds"), max: gauge("nodejs_eventloop_lag_max_seconds") };
}

interface Row {
  mode: string;
  idleLoop: { p99: number; max: number };
  loadLoop: { p99: number; max: number };
  idle: number[];
  control: number[];
  load: number[];
  health: number[];
  reviewsS: number;
  rssMb: number;
}

async function measure(mode: string, workers: string, ticker: ReturnType<typeof startTicker>): Promise<Row> {
  const rig: ProcessRig = await startRig();
  try {
    rig.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
    const prs = [{ number: 900, sha: rig.openPullRequest(900, { base: {}, head: files("big", BIG.files, BIG.lines) }) }];
    for (let i = 0; i < ORDINARY; i++) prs.push({ number: 901 + i, sha: rig.openPullRequest(901 + i, { base: {}, head: files(`pr${i}_`, 10, 30) }) });
    const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REVIEW_WORKERS: workers, REVIEW_CONCURRENCY: "4" }), { built: true, discardLogs: true });
    try {
      await ticker.run(app.url, 2_000); // warm-up: connections, JIT
      await loopDelay(app.url);
      const idle = await ticker.run(app.url, IDLE_MS);
      const control = await ticker.run(app.url, IDLE_MS);
      const idleLoop = await loopDelay(app.url);
      const started = performance.now();
      for (const pr of prs) await rig.deliver(app.url, pr.number, pr.sha);
      const load: number[] = [];
      const health: number[] = [];
      let done = false;
      const reviews = Promise.all(prs.map((pr) => rig.completedRuns(pr.sha, 1, 600_000))).then(() => (done = true));
      let reviewsS = NaN;
      void reviews.then(() => (reviewsS = (performance.now() - started) / 1000));
      while (!done) {
        const chunk = await ticker.run(app.url, 5_000);
        load.push(...chunk.ack);
        health.push(...chunk.health);
      }
      const loadLoop = await loopDelay(app.url);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${app.child.pid}/status`, "utf8"));
      return { mode, idleLoop, loadLoop, idle: idle.ack, control: control.ack, load: load.sort((a, b) => a - b), health: health.sort((a, b) => a - b), reviewsS, rssMb: Number(hwm?.[1] ?? NaN) / 1024 };
    } finally {
      await app.stop("SIGKILL");
    }
  } finally {
    await rig.stop();
  }
}

export async function benchReviewThreads(): Promise<void> {
  const ticker = startTicker();
  const rows: Row[] = [];
  try {
    rows.push(await measure("in-process (REVIEW_WORKERS=0, reference)", "0", ticker));
    rows.push(await measure("worker threads (REVIEW_WORKERS=2)", "2", ticker));
  } finally {
    ticker.stop();
  }
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`\n## Review work off the webhook thread (a ${BIG.files}-file review + ${ORDINARY} ordinary ones, REVIEW_CONCURRENCY=4; a harmless webhook and a /healthz every ${INTERVAL_MS} ms; 2-core machine shared with other work)`);
  console.log("mode | loop delay idle p99 / max | loop delay under load p99 / max (goal ≤ 20 / ≤ 100 ms) | ack p99 idle / A-A control / under load (ratio, goal ≤ 2×) | max ack / max /healthz under load (goal < 1 s) | reviews done in | peak RSS");
  for (const r of rows) {
    console.log(
      `${r.mode} | ${ms(r.idleLoop.p99)} / ${ms(r.idleLoop.max)} | ${ms(r.loadLoop.p99)} / ${ms(r.loadLoop.max)} | ${ms(p99(r.idle))} / ${ms(p99(r.control))} / ${ms(p99(r.load))} (${(p99(r.load) / p99(r.idle)).toFixed(2)}×) | ${ms(max(r.load))} / ${ms(max(r.health))} | ${r.reviewsS.toFixed(1)} s | ${r.rssMb.toFixed(0)} MB`,
    );
  }
  console.log(`(deliveries: idle ${rows[0]?.idle.length} and ${rows[0]?.control.length} per mode, under load ${rows.map((r) => r.load.length).join(" / ")}; loop delay from the app's /metrics, resolution 10 ms; peak RSS: /proc VmHWM of the app process, threads included)`);
}
