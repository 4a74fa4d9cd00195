/**
 * The model stage against the real SDK and the fake Anthropic API: the daily ceilings
 * are read before each request and charged as each call answers, and an abort (the PR
 * moved on) stops the call in flight.
 */
import Anthropic from "@anthropic-ai/sdk";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBundledAgent, type AgentDefinition } from "../../../src/agents/load-agent.js";
import { parsePatch } from "../../../src/diff/parse-patch.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { openStore, type Store } from "../../../src/jobs/sqlite-store.js";
import { capBudget } from "../../../src/core/budget.js";
import { reviewWithModel, type ModelStageInput } from "../../../src/core/model-stage.js";
import { SpendPolicy } from "../../../src/spend/spend-policy.js";
import { SqliteSpendLedger } from "../../../src/spend/sqlite-spend-ledger.js";
import { FakeAnthropic } from "../../support/fake-anthropic.js";

let fake: FakeAnthropic;
let agent: AgentDefinition;
let dir: string;
let store: Store;
let policy: SpendPolicy;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  agent = await loadBundledAgent("agents/backend-agent.md");
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), "chunks-spend-"));
  store = openStore(dir);
  policy = new SpendPolicy(new SqliteSpendLedger(store), { installation: { usd: 0, tokens: 0 }, author: { usd: 0.01, tokens: 0 }, ask: { usd: 0, tokens: 0 } });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Files big enough that each is its own chunk at `chunkTokens: 1500`. */
const files: FileDiff[] = ["a", "b", "c"].map((name) => {
  const lines = Array.from({ length: 120 }, (_, i) => `+value_${name}_${i} = compute_${name}(${i})  # ${"x".repeat(20)}`);
  return { path: `backend/${name}.py`, status: "added", hunks: parsePatch(`@@ -0,0 +1,120 @@\n${lines.join("\n")}`) };
});

const stage = (client: Anthropic, extra: Partial<ModelStageInput> = {}): Promise<Awaited<ReturnType<typeof reviewWithModel>>> =>
  reviewWithModel({
    client, agent, model: "claude-sonnet-5-5", maxOutputTokens: 1000, chunkTokens: 1500, concurrency: 1, mode: "review", minConfidence: 0.7,
    title: "t", files, budget: { maxInputTokens: 1e9, maxChunks: 30, maxSeconds: 60, maxCostUsd: 5 }, ...extra,
  });

const client = () => new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0, timeout: 60_000 });

it("stops sending once a ceiling is spent, charges what was used and lists the rest as unreviewed", async () => {
  const gate = policy.forReview(1, "mallory");
  const result = await stage(client(), { spend: gate });
  expect(result.chunks).toBe(3);
  // The system prompt alone costs more than $0.01 on the fake's count: one request goes out.
  expect(fake.requests).toHaveLength(1);
  expect(result.costUsd).toBeGreaterThan(0.01);
  expect((await gate.headroom())[0]!.usd).toBe(0);
  const reason = "not reviewed: the daily model spend ceiling ($0.01) for the pull request's author (`mallory`) was reached; it resets at 00:00 UTC";
  expect(result.unreviewed).toEqual([
    { path: "backend/b.py", reason },
    { path: "backend/c.py", reason },
  ]);
  expect(result.problems).toEqual(["2 files were not reviewed: the daily model spend ceiling ($0.01) for the pull request's author (`mallory`) was reached; it resets at 00:00 UTC. They are listed below."]);

  // The next review by the same author sends nothing at all.
  const next = await stage(client(), { spend: policy.forReview(1, "mallory"), budget: capBudget({ maxInputTokens: 1e9, maxChunks: 30, maxSeconds: 60, maxCostUsd: 5 }, await gate.costHeadroom()) });
  expect(fake.requests).toHaveLength(1);
  expect(next.unreviewed.map((u) => u.path)).toEqual(["backend/a.py", "backend/b.py", "backend/c.py"]);
});

it("charges calls whose answer was unusable: they are billed too", async () => {
  fake.fallback = { kind: "text", text: "not json" };
  const gate = new SpendPolicy(new SqliteSpendLedger(store), { installation: { usd: 100, tokens: 0 }, author: { usd: 0, tokens: 0 }, ask: { usd: 0, tokens: 0 } }).forReview(1, "x");
  const result = await stage(client(), { spend: gate, files: files.slice(0, 1) });
  expect(fake.requests).toHaveLength(2);
  expect(result.problems[0]).toContain("The model's answer was unusable twice");
  expect(result.usage.input).toBeGreaterThan(0);
  expect(100 - (await gate.headroom())[0]!.usd).toBeCloseTo(result.costUsd, 9);
});

it("aborts the call in flight and sends no more once the review's signal fires", async () => {
  fake.fallback = { kind: "hang" };
  const moved = new AbortController();
  const started = Date.now();
  const pending = stage(client(), { signal: moved.signal });
  while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  moved.abort();
  const result = await pending;
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(fake.requests).toHaveLength(1);
  expect(result.unreviewed.map((u) => u.reason)).toEqual(Array(3).fill("not reviewed: the branch moved to a newer commit"));
  expect(result.problems).toEqual([]);
});
