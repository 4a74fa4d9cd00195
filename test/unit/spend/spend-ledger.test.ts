import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { openStore, type Store } from "../../../src/jobs/sqlite-store.js";
import { RedisSpendLedger } from "../../../src/spend/redis-spend-ledger.js";
import type { Ceiling, SpendLedger } from "../../../src/spend/spend-ledger.js";
import { SqliteSpendLedger } from "../../../src/spend/sqlite-spend-ledger.js";
import { describeWithRedis, REDIS_URL, redisUp } from "../../support/services.js";

const prefix = `backend-agent-test-spend-${randomUUID()}`;
const DAY = Date.parse("2026-12-02T12:00:00Z");

const installation: Ceiling = { scope: "installation", id: "42", usd: 50, tokens: 0 };
const author: Ceiling = { scope: "author", id: "mallory", usd: 10, tokens: 1_000 };

interface Backend {
  open(now: () => number): SpendLedger;
  cleanup(): Promise<void>;
}

const sqlite = (): Backend => {
  const dir = mkdtempSync(join(tmpdir(), "spend-ledger-"));
  let store: Store | undefined;
  return {
    open(now) {
      store ??= openStore(dir);
      return new SqliteSpendLedger(store, now);
    },
    async cleanup() {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const redis = (): Backend => {
  const opened: SpendLedger[] = [];
  return {
    open(now) {
      const ledger = new RedisSpendLedger(REDIS_URL, prefix, now);
      opened.push(ledger);
      return ledger;
    },
    async cleanup() {
      await Promise.all(opened.map((l) => l.close()));
      const client = new Redis(REDIS_URL);
      const keys = await client.keys(`${prefix}:*`);
      if (keys.length) await client.del(...keys);
      client.disconnect();
    },
  };
};

// Without Redis (the global setup said so in one line) only the embedded store runs.
const ledgers: Array<[string, () => Backend]> = [["embedded store", sqlite], ["Redis", redis]];
describe.each(redisUp ? ledgers : ledgers.slice(0, 1))("spend ledger on %s", (_name, make) => {
  let backend: Backend;
  beforeEach(() => {
    backend = make();
  });
  afterEach(() => backend.cleanup());

  it("starts a day with every ceiling's whole limit, and unbounded measures as Infinity", async () => {
    const ledger = backend.open(() => DAY);
    expect(await ledger.remaining([installation, author])).toEqual([
      { ceiling: installation, usd: 50, tokens: Infinity },
      { ceiling: author, usd: 10, tokens: 1_000 },
    ]);
  });

  it("subtracts what is charged, from every ceiling charged, and never goes below zero", async () => {
    const ledger = backend.open(() => DAY);
    await ledger.charge([installation, author], 4.25, 600);
    await ledger.charge([author], 0.5, 300);
    const [inst, auth] = await ledger.remaining([installation, author]);
    expect(inst!.usd).toBeCloseTo(45.75, 9);
    expect(auth!.usd).toBeCloseTo(5.25, 9);
    expect(auth!.tokens).toBe(100);
    await ledger.charge([author], 20, 5_000);
    expect(await ledger.remaining([author])).toEqual([{ ceiling: author, usd: 0, tokens: 0 }]);
  });

  it("counts per UTC day: a new day starts from nothing", async () => {
    let now = DAY;
    const ledger = backend.open(() => now);
    await ledger.charge([installation], 49, 0);
    now = Date.parse("2026-12-02T23:59:59Z");
    expect((await ledger.remaining([installation]))[0]!.usd).toBeCloseTo(1, 9);
    now = Date.parse("2026-12-03T00:00:00Z");
    expect((await ledger.remaining([installation]))[0]!.usd).toBe(50);
  });

  it("adds up concurrent charges from two ledgers over the same storage exactly", async () => {
    const [a, b] = [backend.open(() => DAY), backend.open(() => DAY)];
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).charge([installation], 0.01, 10)));
    const [left] = await b.remaining([installation]);
    expect(left!.usd).toBeCloseTo(49.5, 9);
    expect((await a.remaining([{ ...installation, tokens: 1_000 }]))[0]!.tokens).toBe(500);
  });

  it("keeps ceilings of the same id but another scope apart", async () => {
    const ledger = backend.open(() => DAY);
    const ask: Ceiling = { scope: "ask", id: "42", usd: 5, tokens: 0 };
    await ledger.charge([ask], 2, 0);
    const [inst, asks] = await ledger.remaining([installation, ask]);
    expect([inst!.usd, asks!.usd]).toEqual([50, 3]);
  });
});

describeWithRedis("Redis ledger", () => it("sets an expiry on the Redis counts, so a day's keys clean themselves up", async () => {
  const ledger = new RedisSpendLedger(REDIS_URL, prefix, () => DAY);
  const client = new Redis(REDIS_URL);
  try {
    await ledger.charge([installation], 1, 1);
    const ttl = await client.pttl(`${prefix}:spend:2026-12-02:installation:42`);
    expect(ttl).toBeGreaterThan(86_400_000);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
  } finally {
    await ledger.close();
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  }
}));
