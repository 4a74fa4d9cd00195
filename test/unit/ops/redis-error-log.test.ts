import { EventEmitter } from "node:events";
import { RedisErrorLog } from "../../../src/ops/redis-error-log.js";

/** A refused connect, as ioredis emits it at each retry. */
function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:6380"), { code: "ECONNREFUSED" });
}

function setUp() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  let now = 0;
  const log = new RedisErrorLog({ error: at("error"), warn: at("warn"), info: at("info") }, { url: "redis://:hunter2@10.0.0.5:6380/0", repeatMs: 30_000, now: () => now });
  return { lines, log, advance: (ms: number) => (now += ms) };
}

it("says an outage once, then once per interval with a count, then that Redis is back", () => {
  const { lines, log, advance } = setUp();
  const queue = new EventEmitter();
  const spend = new EventEmitter();
  log.watch(queue, "queue");
  log.watch(spend, "spend and heads");
  queue.emit("ready");
  for (let i = 0; i < 20; i++) {
    queue.emit("error", refused());
    spend.emit("error", refused());
    advance(2_000);
  }
  expect(lines.map((l) => l.level)).toEqual(["error", "warn"]);
  expect(lines[0]!.msg).toContain("Redis at 10.0.0.5:6380 (REDIS_URL) is unreachable");
  expect(lines[1]!.msg).toBe("Redis at 10.0.0.5:6380 (REDIS_URL) still unreachable: 30 connection errors in the last 30 s");
  expect(JSON.stringify(lines)).not.toContain("hunter2");

  queue.emit("ready");
  expect(lines).toHaveLength(2);
  spend.emit("ready");
  expect(lines[2]).toEqual({ level: "info", fields: expect.objectContaining({ errors: 40, downSeconds: 40 }), msg: "Redis at 10.0.0.5:6380 is reachable again after 40 s" });

  queue.emit("error", refused());
  expect(lines.map((l) => l.level)).toEqual(["error", "warn", "info", "error"]);
});

it("leaves errors that are not about the connection to the caller", () => {
  const { lines, log } = setUp();
  expect(log.report(new Error("ERR Error running script: attempt to compare nil with number"))).toBe(false);
  expect(log.report(refused())).toBe(true);
  expect(lines).toHaveLength(1);
});
