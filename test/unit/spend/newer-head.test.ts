import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { watchHead } from "../../../src/review/watch-head.js";
import { MemoryHeads, RedisHeads } from "../../../src/spend/newer-head.js";
import { REDIS_URL, redisUp } from "../../support/services.js";

const log = pino({ level: "silent" });
const until = async (probe: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("head registries", () => {
  it("remember the newest head per PR, in memory (bounded) and on Redis", async () => {
    const memory = new MemoryHeads();
    await memory.announce("acme/api#1", "a");
    await memory.announce("acme/api#1", "b");
    expect(await memory.latest("acme/api#1")).toBe("b");
    for (let i = 0; i < 10_001; i++) await memory.announce(`acme/api#${i + 2}`, "x");
    expect(await memory.latest("acme/api#1")).toBeUndefined();
    expect(await memory.latest("acme/api#10002")).toBe("x");

    // Without Redis (the global setup said so in one line) only the memory registry is checked.
    if (!redisUp) return;
    const redis = new Redis(REDIS_URL);
    const other = redis.duplicate();
    const prefix = `backend-agent-test-heads-${randomUUID()}`;
    try {
      const [web, worker] = [new RedisHeads(redis, prefix), new RedisHeads(other, prefix)];
      expect(await worker.latest("acme/api#1")).toBeUndefined();
      await web.announce("acme/api#1", "c");
      expect(await worker.latest("acme/api#1")).toBe("c");
      expect(await redis.pttl(`${prefix}:head:acme/api#1`)).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      other.disconnect();
    }
  });
});

describe("a running review's head watch", () => {
  it("aborts once a newer head is announced and GitHub confirms it", async () => {
    const heads = new MemoryHeads();
    let github = "old";
    const asked: string[] = [];
    const watch = watchHead({ heads, lane: "acme/api#1", headSha: "old", intervalMs: 20, log, currentHead: async () => (asked.push(github), github) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(asked).toEqual([]);
      // Announced, but GitHub still says "old" (a stale redelivery): asked once, no abort.
      await heads.announce("acme/api#1", "stale");
      await until(() => asked.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([watch.signal.aborted, asked.length]).toEqual([false, 1]);
      github = "new";
      await heads.announce("acme/api#1", "new");
      await until(() => watch.signal.aborted);
      expect(watch.movedTo()).toBe("new");
    } finally {
      watch.stop();
    }
  });

  it("keeps going when the registry or GitHub cannot be read", async () => {
    const watch = watchHead({
      heads: { announce: async () => undefined, latest: () => Promise.reject(new Error("down")) },
      lane: "acme/api#1", headSha: "old", intervalMs: 10, log, currentHead: async () => "new",
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(watch.signal.aborted).toBe(false);
    watch.stop();
  });
});
