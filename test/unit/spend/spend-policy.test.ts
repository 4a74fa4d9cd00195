import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnv } from "../../../src/config/env.js";
import { openStore, type Store } from "../../../src/jobs/sqlite-store.js";
import { capBudget } from "../../../src/core/budget.js";
import type { Ceiling, Headroom, SpendLedger } from "../../../src/spend/spend-ledger.js";
import { SpendPolicy, spendLimitsOf, type SpendLimits } from "../../../src/spend/spend-policy.js";
import { SqliteSpendLedger } from "../../../src/spend/sqlite-spend-ledger.js";

let dir: string;
let store: Store;
let ledger: SqliteSpendLedger;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spend-policy-"));
  store = openStore(dir);
  ledger = new SqliteSpendLedger(store);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const limits: SpendLimits = { installation: { usd: 50, tokens: 0 }, author: { usd: 10, tokens: 0 }, ask: { usd: 5, tokens: 2_000 } };

describe("spend ceilings from the environment", () => {
  it("defaults to $50 a day per installation, $10 per PR author and $5 for ask answers, no token ceilings", () => {
    expect(spendLimitsOf(loadEnv({}))).toEqual({ installation: { usd: 50, tokens: 0 }, author: { usd: 10, tokens: 0 }, ask: { usd: 5, tokens: 0 } });
  });

  it("reads 0 and off as no ceiling, and refuses a negative or a word", () => {
    const env = loadEnv({ SPEND_INSTALLATION_DAILY_USD: "off", SPEND_AUTHOR_DAILY_USD: "0", SPEND_ASK_DAILY_USD: "2.5", SPEND_ASK_DAILY_TOKENS: "100000" });
    expect(spendLimitsOf(env)).toEqual({ installation: { usd: 0, tokens: 0 }, author: { usd: 0, tokens: 0 }, ask: { usd: 2.5, tokens: 100_000 } });
    expect(() => loadEnv({ SPEND_AUTHOR_DAILY_USD: "-1" })).toThrow(/SPEND_AUTHOR_DAILY_USD/);
    expect(() => loadEnv({ SPEND_AUTHOR_DAILY_USD: "lots" })).toThrow(/SPEND_AUTHOR_DAILY_USD/);
  });
});

describe("a review's spend gate", () => {
  it("lets requests through until a ceiling is spent, then names that ceiling and when it resets", async () => {
    const hits: string[] = [];
    const policy = new SpendPolicy(ledger, limits, (scope) => hits.push(scope));
    const gate = policy.forReview(7, "Mallory");
    expect(await gate.exhausted()).toBeUndefined();
    await gate.charge(9.99, 1_000);
    expect(await gate.exhausted()).toBeUndefined();
    await gate.charge(0.02, 10);
    expect(await gate.exhausted()).toBe("the daily model spend ceiling ($10.00) for the pull request's author (`mallory`) was reached; it resets at 00:00 UTC");
    // Another review by the same author (any case) is stopped too; the installation still has room for others.
    expect(await policy.forReview(7, "MALLORY").exhausted()).toMatch(/for the pull request's author \(`mallory`\)/);
    expect(await policy.forReview(7, "alice").exhausted()).toBeUndefined();
    expect(await policy.forReview(8, "mallory").exhausted()).toMatch(/`mallory`/);
    // Counted once per gate and scope, not once per request.
    await gate.exhausted();
    expect(hits).toEqual(["author", "author", "author"]);
  });

  it("counts reviews and answers against the installation's total", async () => {
    const policy = new SpendPolicy(ledger, limits);
    await policy.forReview(7, "alice").charge(30, 0);
    await policy.forReview(7, "bob").charge(9, 0);
    await policy.forAsk(7).charge(4.99, 0);
    expect(await policy.forAsk(7).exhausted()).toBeUndefined();
    await policy.forReview(7, "carol").charge(6.5, 0);
    expect(await policy.forAsk(7).exhausted()).toBe("the daily model spend ceiling ($50.00) for this installation was reached; it resets at 00:00 UTC");
    expect(await policy.forReview(7, "dave").exhausted()).toMatch(/for this installation/);
  });

  it("stops `ask` at its own ceiling in dollars or in tokens", async () => {
    const policy = new SpendPolicy(ledger, limits);
    await policy.forAsk(7).charge(0.01, 2_000);
    expect(await policy.forAsk(7).exhausted()).toBe("the daily model token ceiling (2,000 tokens) for `ask` answers in this installation was reached; it resets at 00:00 UTC");
    expect(await policy.forReview(7, "alice").exhausted()).toBeUndefined();
  });

  it("has no ceilings to check when all are off", async () => {
    const off = { usd: 0, tokens: 0 };
    const gate = new SpendPolicy(ledger, { installation: off, author: off, ask: off }).forReview(7, "alice");
    await gate.charge(1_000, 1e9);
    expect(gate.ceilings).toEqual([]);
    expect(await gate.exhausted()).toBeUndefined();
  });

  it("fails closed when the ledger cannot be read or written", async () => {
    const down: SpendLedger = {
      remaining: () => Promise.reject(new Error("ECONNREFUSED")),
      charge: () => Promise.reject(new Error("ECONNREFUSED")),
      close: async () => undefined,
    };
    expect(await new SpendPolicy(down, limits).forReview(7, "alice").exhausted()).toBe("the spend ceilings could not be checked (the spend ledger did not answer)");
    const flaky: SpendLedger = { remaining: (c: readonly Ceiling[]) => ledger.remaining(c), charge: down.charge, close: down.close };
    const gate = new SpendPolicy(flaky, limits).forReview(7, "alice");
    expect(await gate.exhausted()).toBeUndefined();
    await gate.charge(0.1, 10);
    expect(await gate.exhausted()).toBe("the spend ceilings could not be kept (the spend ledger did not answer)");
  });
});

describe("capping a review's budget to the ceilings", () => {
  const budget = { maxInputTokens: 600_000, maxChunks: 30, maxSeconds: 600, maxCostUsd: 5 };

  it("keeps MAX_REVIEW_COST_USD when every ceiling has more left", () => {
    expect(capBudget(budget, [{ usd: 50, reason: "installation" }, { usd: Infinity, reason: "off" }])).toEqual(budget);
    expect(capBudget(budget, [])).toEqual(budget);
  });

  it("lowers the cost budget to the tightest ceiling's remainder, with its reason", () => {
    expect(capBudget(budget, [{ usd: 3, reason: "installation" }, { usd: 1.5, reason: "author" }])).toEqual({ ...budget, maxCostUsd: 1.5, costCeiling: "author" });
    expect(capBudget(budget, [{ usd: 0, reason: "spent" }])).toMatchObject({ maxCostUsd: 0, costCeiling: "spent" });
  });

  it("takes the headroom a gate reads from the ledger", async () => {
    const gate = new SpendPolicy(ledger, limits).forReview(7, "alice");
    await gate.charge(8, 0);
    const headroom: Headroom[] = await gate.headroom();
    expect(headroom.map((h) => h.usd)).toEqual([42, 2]);
    const capped = capBudget(budget, await gate.costHeadroom());
    expect(capped.maxCostUsd).toBeCloseTo(2, 9);
    expect(capped.costCeiling).toBe("the daily model spend ceiling ($10.00) for the pull request's author (`alice`) was reached; it resets at 00:00 UTC");
  });
});
