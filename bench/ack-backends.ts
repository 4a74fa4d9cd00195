/**
 * Webhook ack latency of the app as a real process on each queue backend (embedded
 * SQLite, BullMQ on the local Redis), side by side with the floor (a bare server
 * that verifies, parses and answers). 200 signed deliveries at concurrency 20 each.
 * Prints figures; asserts nothing. Absolute times on a shared machine are noise:
 * the figure is p99(ours) / p99(floor).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { OWNER, REPO, SECRET } from "../test/support/app-harness.js";
import { processEnv, spawnApp } from "../test/support/app-process.js";
import { startRig } from "../test/support/process-rig.js";
import { pullRequestPayload, sendWebhook } from "../test/support/signed-webhook.js";

const DELIVERIES = Number(process.env.BENCH_ACK_DELIVERIES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_ACK_CONCURRENCY ?? 20);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function load(url: string, base: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const one = async () => {
    for (let i = next++; i < DELIVERIES; i = next++) {
      const payload = pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: base + i, headSha: randomUUID().replaceAll("-", "").padEnd(40, "0") });
      const d = await sendWebhook(url, { event: "pull_request", payload, secret: SECRET });
      if (d.status !== 200) throw new Error(`delivery answered ${d.status}`);
      times.push(d.ms);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return times.sort((a, b) => a - b);
}

async function startFloor(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./floor-server.ts", import.meta.url))], { env: { ...process.env, WEBHOOK_SECRET: SECRET }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout?.setEncoding("utf8").on("data", (s: string) => { const m = /listening (\d+)/.exec(s); if (m?.[1]) resolve(m[1]); }));
  return { url: `http://127.0.0.1:${port}/api/github/webhooks`, stop: () => child.kill("SIGKILL") };
}

/** Runs the ack-latency comparison and prints a table. */
export async function benchAckBackends(): Promise<void> {
  const rig = await startRig();
  const dataDir = mkdtempSync(join(tmpdir(), "backend-agent-bench-"));
  const prefix = `backend-agent-bench-${randomUUID()}`;
  const rows: Array<[string, number[]]> = [];
  try {
    const floor = await startFloor();
    await load(floor.url, 0); // warm-up
    rows.push(["floor (verify + parse + 200)", await load(floor.url, 0)]);
    floor.stop();
    for (const [name, env] of [
      ["embedded (SQLite)", { DATA_DIR: dataDir }],
      ["redis (BullMQ), web + worker in one process", { REDIS_URL, QUEUE_PREFIX: prefix }],
      // How scale-out runs it: webhook processes only enqueue, workers elsewhere.
      ["redis (BullMQ), PROCESS_ROLE=web", { REDIS_URL, QUEUE_PREFIX: prefix, PROCESS_ROLE: "web" }],
    ] as const) {
      const app = await spawnApp(processEnv(rig.github, rig.anthropic, { ...env }));
      const url = `${app.url}/api/github/webhooks`;
      await load(url, 10_000); // warm-up (and a queue full of jobs behind, as under load)
      rows.push([name, await load(url, 20_000)]);
      await app.stop("SIGKILL");
    }
  } finally {
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  const floorP99 = pct(rows[0]![1], 99);
  console.log(`\n## Webhook ack latency: ${DELIVERIES} signed deliveries at concurrency ${CONCURRENCY}, each server in its own process`);
  console.log("| server | p50 ms | p99 ms | p99 / floor p99 |\n|---|---|---|---|");
  for (const [name, t] of rows) console.log(`| ${name} | ${pct(t, 50).toFixed(1)} | ${pct(t, 99).toFixed(1)} | ${(pct(t, 99) / floorP99).toFixed(2)} |`);
}
