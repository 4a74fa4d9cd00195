/**
 * Does review work leave the webhook thread alone? The built app as its own process,
 * against the loopback fakes, once with reviews in-process (REVIEW_WORKERS=0, the
 * behaviour before worker threads: the reference row) and once in worker threads, in
 * the same run. For each mode:
 *  - harmless webhooks (a PR comment that is no command) and a GET /healthz every
 *    100 ms, first idle (twice: the A/A control row shows the noise), then while rounds
 *    of a 3,000-file review and ten ordinary ones run (BENCH_THREADS_LOAD_ROUNDS,
 *    default 5: a p99 over one round's few dozen answers is only its maximum): the webhook
 *    thread's event-loop delay
 *    (perf_hooks.monitorEventLoopDelay through prom-client's nodejs_eventloop_lag_*
 *    gauges, reset at each scrape) beside an idle process's over the same window (the
 *    machine's floor), ack and /healthz latencies, the main thread's CPU
 *    during the load, and the process's peak RSS;
 *  - CPU a delivery: rounds of signed `pull_request.opened` deliveries at concurrency,
 *    Probot's own middleware (a process of its own, the reference of ack-backends) then
 *    ours, CPU time read from /proc (the whole process, and its main thread alone);
 *  - a 400-file review in a fresh process: webhook to completed check, and peak RSS.
 * Asserts nothing.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { processEnv, spawnApp, type AppProcess } from "../test/support/app-process.js";
import { startRig, type ProcessRig } from "../test/support/process-rig.js";
import { cpuSeconds, drained, peakRssMb, startLoad, startScript, type Server } from "./bench-processes.js";
import { BIG, ORDINARY, openReviewLoad, pythonFiles } from "./review-load.js";

const INTERVAL_MS = 100;
const IDLE_MS = Number(process.env.BENCH_THREADS_IDLE_MS ?? 10_000);
const CPU_ROUNDS = Number(process.env.BENCH_THREADS_CPU_ROUNDS ?? 5);
/** Rounds of the review load (a 3,000-file review and ten ordinary ones), one after the other. */
const LOAD_ROUNDS = Number(process.env.BENCH_THREADS_LOAD_ROUNDS ?? 5);
const CPU_DELIVERIES = 200;
const CPU_CONCURRENCY = 20;
const MEDIUM = { files: 400, lines: 75 };

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
type Ticker = ReturnType<typeof startTicker>;

/** The loop-delay floor process (loop-floor.ts): each `read` is the delay since the previous one. */
function startFloor() {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./loop-floor.ts", import.meta.url))], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async read(): Promise<{ p99: number; max: number }> {
      child.stdin!.write("\n");
      return JSON.parse(String((await lines.next()).value)) as { p99: number; max: number };
    },
    stop: () => child.kill(),
  };
}
type Floor = ReturnType<typeof startFloor>;
type Load = ReturnType<typeof startLoad>;

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
  /** The same windows' loop delay of an idle process beside the app (the machine's floor). */
  floorIdle: { p99: number; max: number };
  floorLoad: { p99: number; max: number };
  idle: number[];
  control: number[];
  load: number[];
  health: number[];
  reviewsS: number;
  /** The main thread's CPU seconds while the reviews ran. */
  mainCpuS: number;
  rssMb: number;
  /** CPU ms a delivery: Probot's middleware (reference), ours (process), ours (main thread). */
  cpu: { probot: number; ours: number; main: number };
  medium: { seconds: number; rssMb: number };
}

/** CPU ms a delivery over CPU_ROUNDS rounds, each Probot's middleware then ours. */
async function cpuPerDelivery(app: { url: string; pid: number | undefined }, probot: Server, load: Load): Promise<Row["cpu"]> {
  const totals = { probot: 0, ours: 0, main: 0 };
  await load.measure(`${app.url}/api/github/webhooks`); // warm-up
  for (let round = 0; round < CPU_ROUNDS; round++) {
    await drained(app.url);
    const p0 = cpuSeconds(probot.pid);
    await load.measure(probot.url);
    totals.probot += cpuSeconds(probot.pid) - p0;
    const [o0, m0] = [cpuSeconds(app.pid), cpuSeconds(app.pid, app.pid)];
    // The jobs of this round's deliveries run meanwhile (each ends at its first GitHub call: an unknown commit), as under load.
    await load.measure(`${app.url}/api/github/webhooks`);
    totals.ours += cpuSeconds(app.pid) - o0;
    totals.main += cpuSeconds(app.pid, app.pid) - m0;
  }
  const perDelivery = (s: number) => (s * 1000) / (CPU_ROUNDS * CPU_DELIVERIES);
  return { probot: perDelivery(totals.probot), ours: perDelivery(totals.ours), main: perDelivery(totals.main) };
}

/**
 * The app as its own process, with a queue of its own (a process killed with jobs left
 * in a shared DATA_DIR would hand them to the next one, which would run them in the
 * middle of its measurement).
 */
async function startApp(rig: ProcessRig, workers: string): Promise<AppProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "backend-agent-bench-"));
  const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REVIEW_WORKERS: workers, REVIEW_CONCURRENCY: "4", DATA_DIR: dataDir }), { built: true, discardLogs: true });
  return { ...app, stop: async (signal) => { try { return await app.stop(signal); } finally { rmSync(dataDir, { recursive: true, force: true }); } } };
}

/**
 * A 400-file review in a fresh process, once a 10-file one has run there (threads
 * started, code warm: what a webhook meets in a process that has been up a while):
 * seconds from the webhook to the completed check, and the process's peak RSS.
 */
async function mediumReview(rig: ProcessRig, workers: string): Promise<Row["medium"]> {
  const warm = rig.openPullRequest(949, { base: {}, head: pythonFiles("warm", 10, 30) });
  const sha = rig.openPullRequest(950, { base: {}, head: pythonFiles("medium", MEDIUM.files, MEDIUM.lines) });
  const app = await startApp(rig, workers);
  try {
    await rig.deliver(app.url, 949, warm);
    await rig.completedRuns(warm, 1, 300_000);
    const started = performance.now();
    await rig.deliver(app.url, 950, sha);
    await rig.completedRuns(sha, 1, 300_000);
    return { seconds: (performance.now() - started) / 1000, rssMb: peakRssMb(app.child.pid) };
  } finally {
    await app.stop("SIGKILL");
  }
}

async function measure(mode: string, workers: string, ticker: Ticker, sender: Load, probot: Server, floor: Floor): Promise<Row> {
  const rig: ProcessRig = await startRig();
  try {
    const rounds = Array.from({ length: LOAD_ROUNDS }, (_, round) => openReviewLoad(rig, round));
    const medium = await mediumReview(rig, workers);
    const app = await startApp(rig, workers);
    const pid = app.child.pid;
    try {
      await ticker.run(app.url, 2_000); // warm-up: connections, JIT
      await loopDelay(app.url);
      await floor.read();
      const idle = await ticker.run(app.url, IDLE_MS);
      const control = await ticker.run(app.url, IDLE_MS);
      const idleLoop = await loopDelay(app.url);
      const floorIdle = await floor.read();
      // Several rounds of the load, each ticked in 1 s chunks until its reviews are done: a few dozen samples a round, so
      // that the p99 under load is not just the maximum of one round, and little idle tail is mixed in.
      const load: number[] = [];
      const health: number[] = [];
      let reviewsS = 0;
      let mainCpuS = 0;
      for (const prs of rounds) {
        const started = performance.now();
        const main0 = cpuSeconds(pid, pid);
        for (const pr of prs) await rig.deliver(app.url, pr.number, pr.sha);
        let done = false;
        void Promise.all(prs.map((pr) => rig.completedRuns(pr.sha, 1, 600_000))).then(() => {
          done = true;
          reviewsS += (performance.now() - started) / 1000;
          mainCpuS += cpuSeconds(pid, pid) - main0;
        });
        while (!done) {
          const chunk = await ticker.run(app.url, 1_000);
          load.push(...chunk.ack);
          health.push(...chunk.health);
        }
      }
      const loadLoop = await loopDelay(app.url);
      const floorLoad = await floor.read();
      const rssMb = peakRssMb(pid);
      const cpu = await cpuPerDelivery({ url: app.url, pid }, probot, sender);
      return { mode, idleLoop, loadLoop, floorIdle, floorLoad, idle: idle.ack, control: control.ack, load: load.sort((a, b) => a - b), health: health.sort((a, b) => a - b), reviewsS, mainCpuS, rssMb, cpu, medium };
    } finally {
      await app.stop("SIGKILL");
    }
  } finally {
    await rig.stop();
  }
}

function print(rows: Row[]): void {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`\n## Review work off the webhook thread (${LOAD_ROUNDS} rounds of a ${BIG.files}-file review + ${ORDINARY} ordinary ones, REVIEW_CONCURRENCY=4; a harmless webhook and a /healthz every ${INTERVAL_MS} ms; 2-core machine shared with other work)`);
  console.log("mode | loop delay idle p99 / max [idle process beside it] | loop delay under load p99 / max (goal ≤ 20 / ≤ 100 ms) [idle process beside it] | ack p99 idle / A-A control / under load (ratio to idle, goal ≤ 2×; control ratio) | max ack / max /healthz under load (goal < 1 s) | reviews done in (all rounds) | main-thread CPU during them | peak RSS");
  for (const r of rows) {
    console.log(
      `${r.mode} | ${ms(r.idleLoop.p99)} / ${ms(r.idleLoop.max)} [${ms(r.floorIdle.p99)} / ${ms(r.floorIdle.max)}] | ${ms(r.loadLoop.p99)} / ${ms(r.loadLoop.max)} [${ms(r.floorLoad.p99)} / ${ms(r.floorLoad.max)}] | ${ms(p99(r.idle))} / ${ms(p99(r.control))} / ${ms(p99(r.load))} (${(p99(r.load) / p99(r.idle)).toFixed(2)}×; control ${(p99(r.control) / p99(r.idle)).toFixed(2)}×) ` +
        `| ${ms(max(r.load))} / ${ms(max(r.health))} | ${r.reviewsS.toFixed(1)} s | ${r.mainCpuS.toFixed(2)} s (${((r.mainCpuS / r.reviewsS) * 100).toFixed(0)} %) | ${r.rssMb.toFixed(0)} MB`,
    );
  }
  console.log(`(deliveries: idle ${rows[0]?.idle.length} and ${rows[0]?.control.length} per mode, under load ${rows.map((r) => r.load.length).join(" / ")}; loop delay from the app's /metrics, resolution 10 ms (the 10 ms included), in brackets an idle Node process's over the same window: what the machine's scheduler alone costs; peak RSS: /proc VmHWM of the app process, threads included)`);
  console.log(`\nmode | CPU ms a delivery: ours, whole process / main thread alone | Probot's middleware (same rounds) | ratio (goal ≤ 1.15×): process / main thread | ${MEDIUM.files}-file review in a fresh process, after a 10-file one: webhook → completed check (goal < 2 s overhead) / peak RSS (goal < 250 MB)`);
  for (const r of rows) {
    console.log(`${r.mode} | ${r.cpu.ours.toFixed(2)} / ${r.cpu.main.toFixed(2)} | ${r.cpu.probot.toFixed(2)} | ${(r.cpu.ours / r.cpu.probot).toFixed(2)}× / ${(r.cpu.main / r.cpu.probot).toFixed(2)}× | ${r.medium.seconds.toFixed(2)} s / ${r.medium.rssMb.toFixed(0)} MB`);
  }
  console.log(`(CPU: ${CPU_ROUNDS} rounds of ${CPU_DELIVERIES} signed pull_request.opened deliveries at concurrency ${CPU_CONCURRENCY}, Probot's middleware then ours, /proc user + system time; ours runs each delivery's job meanwhile, which ends at its first GitHub call. The ${MEDIUM.files}-file time includes GitHub write spacing of 10 ms)`);
}

/** Runs both modes and prints their figures side by side. */
export async function benchReviewThreads(): Promise<void> {
  const ticker = startTicker();
  const load = startLoad(CPU_DELIVERIES, CPU_CONCURRENCY);
  const rig = await startRig();
  const probot = await startScript("./probot-floor-server.ts", processEnv(rig.github, rig.anthropic));
  const floor = startFloor();
  const rows: Row[] = [];
  try {
    await load.measure(probot.url); // warm-up
    rows.push(await measure("in-process (REVIEW_WORKERS=0, reference)", "0", ticker, load, probot, floor));
    rows.push(await measure("worker threads (REVIEW_WORKERS=2)", "2", ticker, load, probot, floor));
  } finally {
    ticker.stop();
    floor.stop();
    load.stop();
    await probot.stop();
    await rig.stop();
  }
  print(rows);
}
