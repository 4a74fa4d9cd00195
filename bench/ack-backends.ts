/**
 * Webhook ack latency of the app as a real process (the build, as `npm start` runs
 * it) on each queue backend, side by side with the floor: a bare server in its own
 * process that verifies, parses and answers. Each measurement is 200 signed
 * deliveries at concurrency 20 from a long-lived load process (bench/ack-load.ts).
 * On a shared 2-core machine one measurement is noise, so each backend is measured
 * in ROUNDS rounds, each round the floor then ours back to back; the figure is
 * p99(ours) / p99(floor) over all rounds' latencies pooled (a p99 of one round's 200
 * is its second worst), with the per-round ratios beside it. Beside them, the CPU time a
 * delivery costs the server (a "web + worker" process also runs the jobs meanwhile; here
 * each ends at its first GitHub call, which the fake answers 422 for an unknown commit,
 * so the worker's share is the queue's and a short job's, not a whole review's)
 * and the local Redis, read from /proc: the machine is shared by the load, the server and
 * Redis, so under this closed-loop load latency follows CPU, and CPU is far less noisy.
 * How far to trust a ratio: a 95 % interval from resampling whole rounds (a stall of
 * the machine hits a round's in-flight deliveries together, so rounds are the unit),
 * and a control row that measures a second bare floor against the first (A/A): what
 * noise alone makes of the ratio on this machine.
 * Prints figures; asserts nothing.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { cpuSeconds, drained, startLoad, startScript, type Server } from "./bench-processes.js";
import { SECRET } from "../test/support/app-harness.js";
import { processEnv, spawnApp } from "../test/support/app-process.js";
import { startRig } from "../test/support/process-rig.js";

const DELIVERIES = Number(process.env.BENCH_ACK_DELIVERIES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_ACK_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_ACK_ROUNDS ?? 20);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Measures only the servers whose name contains this (e.g. "BullMQ"). */
const ONLY = process.env.BENCH_ACK_ONLY ?? "";
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);

/** The local Redis server's pid, when it runs on this machine (its CPU is part of an ack's cost). */
async function redisPid(): Promise<number | undefined> {
  const redis = new Redis(REDIS_URL);
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
    return existsSync(`/proc/${pid}/stat`) ? pid : undefined;
  } finally {
    redis.disconnect();
  }
}

interface Row {
  name: string;
  /** Each round's latencies; the figure pools them (a p99 of 200 is the second worst, too noisy alone). */
  floor: number[][];
  ours: number[][];
  /** CPU seconds over the rounds: the floor's process; ours, and the local Redis's while ours ran. */
  cpu: { floor: number; ours: number; redis: number };
}

/** CPU milliseconds a delivery. */
const cpuMs = (seconds: number, rounds: number[][]) => ((seconds * 1000) / rounds.flat().length).toFixed(2);

/** p99 of the pooled latencies of the chosen rounds, ours over the floor's. */
function pooledRatio(row: Row, rounds: number[]): number {
  const pool = (series: number[][]) => rounds.flatMap((i) => series[i]!).sort((a, b) => a - b);
  return pct(pool(row.ours), 99) / pct(pool(row.floor), 99);
}

/**
 * A 95 % interval of the pooled ratio: the rounds resampled with replacement, 1,000
 * times, from a fixed seed (the interval is the data's, not the generator's).
 */
function ratioInterval(row: Row): [number, number] {
  let seed = 0x9e3779b9;
  const random = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const n = row.ours.length;
  const ratios = Array.from({ length: 1000 }, () => pooledRatio(row, Array.from({ length: n }, () => Math.floor(random() * n)))).sort((a, b) => a - b);
  return [pct(ratios, 2.5), pct(ratios, 97.5)];
}

/** Runs the ack-latency comparison and prints a table. */
export async function benchAckBackends(): Promise<void> {
  const rig = await startRig();
  const floor = await startScript("./floor-server.ts", { WEBHOOK_SECRET: SECRET });
  const load = startLoad(DELIVERIES, CONCURRENCY);
  const dataDir = mkdtempSync(join(tmpdir(), "backend-agent-bench-"));
  const prefix = `backend-agent-bench-${randomUUID()}`;
  const rows: Row[] = [];
  const redisServer = await redisPid();
  try {
    await load.measure(floor.url); // warm-up: the floor's code and the load's connections
    const app = (env: Record<string, string>) => async (): Promise<Server> => {
      const started = await spawnApp(processEnv(rig.github, rig.anthropic, env), { built: true, discardLogs: true });
      // A web process's jobs go to a worker process beside it (not measured), as in scale-out.
      const worker = env["PROCESS_ROLE"] === "web" ? await spawnApp(processEnv(rig.github, rig.anthropic, { ...env, PROCESS_ROLE: "worker" }), { built: true, discardLogs: true }) : undefined;
      return {
        url: `${started.url}/api/github/webhooks`,
        pid: started.child.pid,
        drain: () => drained((worker ?? started).url),
        stop: () => Promise.all([started.stop("SIGKILL"), worker?.stop("SIGKILL")]),
      };
    };
    const servers: Array<[string, () => Promise<Server>]> = [
      ["bare floor, a second process (control: noise alone)", () => startScript("./floor-server.ts", { WEBHOOK_SECRET: SECRET })],
      ["Probot middleware, handler logs only (reference)", () => startScript("./probot-floor-server.ts", processEnv(rig.github, rig.anthropic))],
      ["embedded (SQLite), web + worker", app({ DATA_DIR: dataDir })],
      ["redis (BullMQ), web + worker", app({ REDIS_URL, QUEUE_PREFIX: prefix })],
      // How scale-out runs it: webhook processes only accept, a worker process beside them.
      ["redis (BullMQ), PROCESS_ROLE=web (+ a worker process)", app({ REDIS_URL, QUEUE_PREFIX: `${prefix}-web`, PROCESS_ROLE: "web" })],
    ];
    for (const [name, start] of servers.filter(([name]) => name.includes(ONLY))) {
      const server = await start();
      const row: Row = { name, floor: [], ours: [], cpu: { floor: 0, ours: 0, redis: 0 } };
      await load.measure(server.url); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        await server.drain?.();
        const floorCpu = cpuSeconds(floor.pid);
        const f = await load.measure(floor.url);
        const [oursCpu, redisCpu] = [cpuSeconds(server.pid), cpuSeconds(redisServer)];
        row.cpu.floor += cpuSeconds(floor.pid) - floorCpu;
        // The workers take this round's 200 jobs while the webhooks still arrive, as under load.
        const ours = await load.measure(server.url);
        row.cpu.ours += cpuSeconds(server.pid) - oursCpu;
        row.cpu.redis += cpuSeconds(redisServer) - redisCpu;
        row.floor.push(f);
        row.ours.push(ours);
      }
      rows.push(row);
      await server.stop();
    }
  } finally {
    await floor.stop();
    load.stop();
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
    const client = new Redis(REDIS_URL);
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  }
  console.log(`\n## Webhook ack latency: ${DELIVERIES} signed deliveries at concurrency ${CONCURRENCY}, ${ROUNDS} rounds of floor then ours, each server and the load in its own process`);
  console.log("| server | p50 ms (floor) | p99 ms (floor), all rounds pooled | p99 / floor p99 [95 % interval] | per round: median (min–max) | CPU ms a delivery: server + Redis (floor) |\n|---|---|---|---|---|---|");
  for (const r of rows) {
    const [ours, floor] = [r.ours.flat().sort((a, b) => a - b), r.floor.flat().sort((a, b) => a - b)];
    const [low, high] = ratioInterval(r);
    const perRound = r.ours.map((_, i) => pooledRatio(r, [i])).sort((a, b) => a - b);
    console.log(
      `| ${r.name} | ${pct(ours, 50).toFixed(1)} (${pct(floor, 50).toFixed(1)}) | ${pct(ours, 99).toFixed(1)} (${pct(floor, 99).toFixed(1)}) | **${(pct(ours, 99) / pct(floor, 99)).toFixed(2)}** [${low.toFixed(2)}–${high.toFixed(2)}] ` +
        `| ${median(perRound).toFixed(2)} (${perRound[0]!.toFixed(2)}–${perRound.at(-1)!.toFixed(2)}) | ${cpuMs(r.cpu.ours, r.ours)} + ${cpuMs(r.cpu.redis, r.ours)} (${cpuMs(r.cpu.floor, r.floor)}) |`,
    );
  }
}
