/**
 * The job semantics both durable backends promise, run against each: the embedded
 * SQLite queue and BullMQ on the local Redis (a unique prefix per run, removed after).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { waitFor } from "../../support/app-harness.js";
import { describeWithRedis, REDIS_URL, redisUp } from "../../support/services.js";
import { BullQueue } from "../../../src/jobs/bullmq-queue.js";
import type { Job, JobQueue, ReviewJob } from "../../../src/jobs/queue.js";
import { SqliteQueue } from "../../../src/jobs/sqlite-queue.js";
import { openStore, type Store } from "../../../src/jobs/sqlite-store.js";


interface Backend {
  queue: JobQueue;
  superseded: Job[];
  dispose(): Promise<void>;
}

const review = (id: string, pr: number, sha: string, mode: "review" | "security" = "review"): ReviewJob => ({
  kind: "review", id, installationId: 1, owner: "acme", repo: "platform", pullNumber: pr, headSha: sha, mode, trigger: "pull_request.synchronize",
});

/** A handler whose jobs finish only when the test releases them. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const handler = (job: Job) =>
    new Promise<void>((resolve) => {
      started.push(job.id);
      gates.set(job.id, resolve);
    });
  const release = (id: string) => gates.get(id)?.();
  return { started, handler, release };
}

const backends: Array<[string, () => Promise<Backend>]> = [
  ["embedded (SQLite)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "queue-test-"));
    const db: Store = openStore(dir);
    const superseded: Job[] = [];
    const queue = new SqliteQueue(db, 3, { onSuperseded: (job) => superseded.push(job) });
    return { queue, superseded, dispose: async () => { await queue.close(0); db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
  ["BullMQ (Redis)", async () => {
    const prefix = `test-${randomUUID()}`;
    const superseded: Job[] = [];
    const queue = new BullQueue({ url: REDIS_URL, prefix, concurrency: 3, perInstallation: 10, lockMs: 5_000, attempts: 1, onSuperseded: (job) => superseded.push(job) });
    return {
      queue, superseded,
      dispose: async () => {
        await queue.close(0);
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
      },
    };
  }],
];

// Without Redis (the global setup said so in one line) only the embedded backend runs.
describe.each(redisUp ? backends : backends.slice(0, 1))("job queue semantics: %s", (_name, open) => {
  let b: Backend;
  beforeEach(async () => {
    b = await open();
  });
  afterEach(() => b.dispose());

  it("takes a delivery once, also after it ran, and the same head and mode once while it waits or runs", async () => {
    const gate = gatedHandler();
    b.queue.start(gate.handler);
    expect(await b.queue.enqueue(review("d1", 1, "aaa"))).toMatchObject({ queued: true });
    expect(await b.queue.enqueue(review("d1", 1, "aaa"))).toEqual({ queued: false, reason: "duplicate-delivery" });
    expect(await b.queue.enqueue(review("d2", 1, "aaa"))).toEqual({ queued: false, reason: "already-queued" });
    await waitFor(() => (gate.started.includes("d1") ? true : undefined), "d1 to start");
    gate.release("d1");
    await waitFor(() => (b.queue.stats().running === 0 ? true : undefined), "d1 to end");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await b.queue.enqueue(review("d1", 1, "aaa"))).toEqual({ queued: false, reason: "duplicate-delivery" });
    // Once it ended, the same head may be reviewed again (a re-run).
    expect(await b.queue.enqueue(review("d3", 1, "aaa"))).toMatchObject({ queued: true });
    await waitFor(() => (gate.started.includes("d3") ? true : undefined), "d3 to start");
    gate.release("d3");
    expect(gate.started).toEqual(["d1", "d3"]);
  });

  it("answers each of a burst of concurrent deliveries on its own: redeliveries and the same head once, the rest queued", async () => {
    const gate = gatedHandler();
    b.queue.start(gate.handler);
    const results = await Promise.all([
      b.queue.enqueue(review("e1", 11, "e-sha")),
      b.queue.enqueue(review("e1", 11, "e-sha")),
      b.queue.enqueue(review("e2", 11, "e-sha")),
      ...Array.from({ length: 10 }, (_, i) => b.queue.enqueue(review(`f${i}`, 20 + i, `f-sha-${i}`))),
    ]);
    expect(results.slice(0, 3)).toEqual([{ queued: true }, { queued: false, reason: "duplicate-delivery" }, { queued: false, reason: "already-queued" }]);
    expect(results.slice(3).every((r) => r.queued)).toBe(true);
    await waitFor(() => (gate.started.length === 3 ? true : undefined), "three jobs to start (the concurrency)");
    expect(gate.started[0]).toBe("e1");
  });

  it("at close takes no more jobs, and returns after the grace period even when a running job never ends", async () => {
    const gate = gatedHandler();
    b.queue.start(gate.handler);
    await b.queue.enqueue(review("g1", 31, "g-sha"));
    await waitFor(() => (gate.started.includes("g1") ? true : undefined), "g1 to start");
    const started = Date.now();
    await b.queue.close(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await b.queue.enqueue(review("g2", 32, "g-sha-2"))).toEqual({ queued: false, reason: "closed" });
    expect(gate.started).toEqual(["g1"]);
  });

  it("runs one review of a PR at a time, other PRs meanwhile, and a newer head supersedes a waiting older one", async () => {
    const gate = gatedHandler();
    b.queue.start(gate.handler);
    await b.queue.enqueue(review("a", 7, "sha-a"));
    await waitFor(() => (gate.started.includes("a") ? true : undefined), "a to start");
    await b.queue.enqueue(review("sec", 7, "sha-a", "security"));
    await b.queue.enqueue(review("b", 7, "sha-b"));
    await b.queue.enqueue(review("c", 7, "sha-c"));
    await b.queue.enqueue(review("other", 8, "sha-x"));
    await waitFor(() => (gate.started.includes("other") ? true : undefined), "the other PR's review to start");
    // A third PR, queued after PR 7's waiting jobs, takes the free slot they were held from.
    await b.queue.enqueue(review("third", 9, "sha-9"));
    await waitFor(() => (gate.started.includes("third") ? true : undefined), "the third PR's review to start");
    expect(gate.started).toEqual(["a", "other", "third"]);
    for (const id of ["a", "other", "third"]) gate.release(id);
    await waitFor(() => (gate.started.length >= 4 ? true : undefined), "the next review of PR 7");
    gate.release(gate.started[3]!);
    await waitFor(() => (gate.started.length >= 5 ? true : undefined), "the last review of PR 7");
    gate.release(gate.started[4]!);
    await waitFor(() => (b.superseded.length === 1 ? true : undefined), "b to be superseded");
    expect(b.superseded.map((j) => j.id)).toEqual(["b"]);
    expect(gate.started.slice(3).sort()).toEqual(["c", "sec"]);
  });
});

describe("embedded queue recovery", () => {
  it("runs a job left running by a dead process when the store is opened again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "queue-test-"));
    try {
      const first = openStore(dir);
      const dead = new SqliteQueue(first, 1);
      dead.start(() => new Promise<void>(() => undefined));
      await dead.enqueue(review("d1", 1, "aaa"));
      await dead.enqueue(review("d2", 2, "bbb"));
      expect(dead.stats()).toEqual({ waiting: 1, running: 1 });
      // The "restart": the old process dies mid-job (its lock on the store goes with it) and a new one opens the same DATA_DIR.
      first.close();
      const db = openStore(dir);
      let recovered = 0;
      const ran: string[] = [];
      const again = new SqliteQueue(db, 2, { onRecovered: (n) => (recovered = n) });
      again.start(async (job) => void ran.push(job.id));
      await waitFor(() => (ran.length === 2 ? true : undefined), "both jobs to run");
      expect(recovered).toBe(1);
      expect(ran.sort()).toEqual(["d1", "d2"]);
      await again.close();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("embedded store", () => {
  it("belongs to one process: a second open of the same DATA_DIR fails with the reason once the wait is over", () => {
    const dir = mkdtempSync(join(tmpdir(), "queue-test-"));
    try {
      const first = openStore(dir);
      expect(() => openStore(dir, 50)).toThrow(`DATA_DIR ${dir} is in use by another backend-agent process`);
      first.close();
      const next = openStore(dir, 50);
      expect(next.open).toBe(true);
      next.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithRedis("BullMQ inbox", () => {
  it("hands a web-only process's jobs to a worker process at once, not at its next sweep", async () => {
    const prefix = `test-${randomUUID()}`;
    const options = { url: REDIS_URL, prefix, concurrency: 3, perInstallation: 10, lockMs: 5_000, attempts: 1 };
    const recovered: Job[] = [];
    // No start(): a PROCESS_ROLE=web process. The worker's timer would sweep only after 60 s.
    const web = new BullQueue(options);
    const worker = new BullQueue({ ...options, sweepAfterMs: 120_000, onRecovered: (j) => recovered.push(j) });
    const gate = gatedHandler();
    const redis = new Redis(REDIS_URL);
    try {
      // Before any worker runs: the web process answers and writes nothing but the inbox entry.
      expect(await web.enqueue(review("first", 60, "sha-first"))).toEqual({ queued: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([await redis.hlen(`${prefix}:inbox:jobs`), await redis.exists(`${prefix}:jobs:first`)]).toEqual([1, 0]);
      // A worker starting takes what waits; later jobs reach it as they come.
      worker.start(gate.handler);
      await waitFor(() => (gate.started.includes("first") ? true : undefined), "first to run on the worker");
      for (const [i, id] of ["second", "third"].entries()) {
        expect(await web.enqueue(review(id, 61 + i, `sha-${id}`))).toEqual({ queued: true });
        await waitFor(() => (gate.started.includes(id) ? true : undefined), `${id} to run on the worker`);
      }
      expect(await web.enqueue(review("first", 60, "sha-first"))).toEqual({ queued: false, reason: "duplicate-delivery" });
      expect(await web.counts()).toEqual({ waiting: 0, running: 3 });
      expect(recovered).toEqual([]);
      ["first", "second", "third"].forEach(gate.release);
      await waitFor(() => (worker.stats().running === 0 ? true : undefined), "the jobs to end");
      expect(gate.started).toEqual(["first", "second", "third"]);
    } finally {
      await Promise.all([web.close(0), worker.close(0)]);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it("adds and runs a job a worker claimed from the inbox but stopped before adding", async () => {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    // What such a worker leaves: the job in the inbox, scored with its claim's time, and its work marker taken.
    const job = review("left-behind", 41, "sha-left");
    await redis.multi()
      .hset(`${prefix}:inbox:jobs`, job.id, JSON.stringify(job))
      .zadd(`${prefix}:inbox:since`, Date.now() - 60_000, job.id)
      .set(`${prefix}:work:acme/platform#41@sha-left:review`, job.id, "PX", 60_000)
      .exec();
    const recovered: Job[] = [];
    const queue = new BullQueue({ url: REDIS_URL, prefix, concurrency: 1, perInstallation: 10, lockMs: 5_000, attempts: 1, sweepAfterMs: 400, onRecovered: (j) => recovered.push(j) });
    try {
      expect(await queue.counts()).toEqual({ waiting: 1, running: 0 });
      const gate = gatedHandler();
      queue.start(gate.handler);
      await waitFor(() => (gate.started.includes("left-behind") ? true : undefined), "the left-behind job to run");
      expect(recovered.map((j) => j.id)).toEqual(["left-behind"]);
      // A redelivery of it now is recognised, and the inbox is empty.
      expect(await queue.enqueue(job)).toEqual({ queued: false, reason: "duplicate-delivery" });
      expect(await redis.hlen(`${prefix}:inbox:jobs`)).toBe(0);
      gate.release("left-behind");
      await waitFor(() => (queue.stats().running === 0 ? true : undefined), "the job to end");
      expect(gate.started).toEqual(["left-behind"]);
    } finally {
      await queue.close(0);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

