import { RateLimiter } from "../../../src/commands/rate-limit.js";
import { TtlCache } from "../../../src/ops/ttl-cache.js";

describe("TtlCache", () => {
  it("forgets an entry after its TTL", () => {
    let now = 0;
    const cache = new TtlCache<string, number>(10, 1_000, () => now);
    cache.set("a", 1);
    now = 999;
    expect(cache.get("a")).toBe(1);
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("holds at most maxEntries, dropping the least recently used", () => {
    const cache = new TtlCache<string, number>(3, 60_000);
    for (const [i, key] of ["a", "b", "c"].entries()) cache.set(key, i);
    expect(cache.get("a")).toBe(0);
    cache.set("d", 3);
    expect(cache.has("b")).toBe(false);
    expect(["a", "c", "d"].map((k) => cache.get(k))).toEqual([0, 2, 3]);
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
  });
});

describe("RateLimiter", () => {
  it("stays bounded however many PRs send commands", () => {
    const limiter = new RateLimiter(5, 600_000, Date.now, 100);
    for (let pr = 0; pr < 5_000; pr++) expect(limiter.take(`acme/shop#${pr}`)).toEqual({ allowed: true });
    expect(limiter.size).toBe(100);
  });

  it("still limits a busy PR, and frees it when the window passes", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1_000, () => now);
    expect([limiter.take("pr"), limiter.take("pr")]).toEqual([{ allowed: true }, { allowed: true }]);
    now = 400;
    expect(limiter.take("pr")).toEqual({ allowed: false, retryInMs: 600 });
    now = 1_000;
    expect(limiter.take("pr")).toEqual({ allowed: true });
  });
});
