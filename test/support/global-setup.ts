/**
 * Jest global setup: makes Redis available the way `.ci/run` does (a local
 * `redis-server --daemonize yes` when nothing answers and the binary exists), or
 * prints ONE line naming what is missing so the Redis tests skip instead of hanging;
 * and gives the run a pid directory for the teardown's safety net (child-groups.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

// Jest loads this file as CommonJS without the `.js` mapping, so it imports none of ours:
// these three must match child-groups.ts and services.ts.
const PID_DIR_VARIABLE = "BACKEND_AGENT_TEST_PID_DIR";
const REDIS_STATE_VARIABLE = "BACKEND_AGENT_TEST_REDIS";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Resolves true when Redis answers PING on host:port within `ms`. */
function pings(host: string, port: number, ms = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

async function ensureRedis(): Promise<string> {
  const url = new URL(REDIS_URL);
  const host = url.hostname || "127.0.0.1";
  const port = Number(url.port || 6379);
  if (await pings(host, port)) return "up";
  const local = host === "127.0.0.1" || host === "localhost";
  const server = onPath("redis-server");
  if (!local) return `nothing answers at ${REDIS_URL}`;
  if (!server) return `nothing answers at ${REDIS_URL} and redis-server is not installed (apt-get install redis-server, or set TEST_REDIS_URL)`;
  const dir = join(tmpdir(), "backend-agent-test-redis");
  mkdirSync(dir, { recursive: true });
  // As .ci/run: a throwaway server that outlives the run (later runs reuse it).
  const started = spawnSync(server, ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", join(dir, `redis-${port}.log`)], { encoding: "utf8", timeout: 10_000 });
  if (started.status !== 0) return `nothing answers at ${REDIS_URL} and \`redis-server\` failed to start: ${(started.stderr || started.stdout).trim().split("\n")[0] ?? ""}`;
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (await pings(host, port)) return "up";
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `redis-server was started on port ${port} but did not answer within 15 s (log: ${join(dir, `redis-${port}.log`)})`;
}

export default async function globalSetup(): Promise<void> {
  process.env[PID_DIR_VARIABLE] = mkdtempSync(join(tmpdir(), "backend-agent-test-pids-"));
  const redis = await ensureRedis();
  process.env[REDIS_STATE_VARIABLE] = redis;
  if (redis !== "up") process.stderr.write(`\n!!! SKIPPING the Redis tests (BullMQ queue, Redis ledgers): ${redis}\n`);
}
