import { FakeAnthropic } from "../support/fake-anthropic.js";
import { makeRepo, runCli, type TempRepo } from "./cli-harness.js";

const A = "backend/api/a.py";
const B = "backend/api/b.py";
const C = "backend/billing/c.py";
const VENDORED = "backend/vendor/lib.py";

let fake: FakeAnthropic;
let repo: TempRepo;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  repo = makeRepo(
    { [A]: "x = 1\n", [B]: "y = 1\n", [C]: "z = 1\n" },
    { [A]: "x = eval(input())\n", [B]: "import pickle\ny = pickle.loads(data)\n", [C]: "z = 2\n", [VENDORED]: "eval(x)\n", "frontend/app.js": "a\n" },
  );
});
afterAll(async () => {
  repo.cleanup();
  await fake.stop();
});
beforeEach(() => fake.reset());

const model = (extra: Record<string, string> = {}) => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0", ...extra });

interface Plan {
  files: string[];
  skipped: Array<{ path: string; reason: string }>;
  chunks: Array<{ files: Array<{ path: string }>; inputTokens: number }>;
  estimate: { inputTokens: number; inputCostUsd: number; maxOutputTokens: number; maxCostUsd: number };
  overBudget: string[];
  model: string;
  modelSkipped: string | null;
}

describe("backend-agent review --dry-run", () => {
  it("lists the files, the skipped ones with their reason, the chunks and the estimate — with a key, and still no model call; exit 0", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--dry-run"], model());
    expect(fake.requests).toHaveLength(0);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("no model call made");
    expect(run.stdout).toContain(`Files for the model (3):\n  ${A}\n  ${B}\n  ${C}\n`);
    expect(run.stdout).toContain(`Skipped by the model, read by the rules (1):\n  ${VENDORED} (vendored or built files)\n`);
    expect(run.stdout).not.toContain("frontend/app.js");
    expect(run.stdout).toMatch(new RegExp(`Chunks \\(1 request to claude-sonnet-5-5\\):\\n  1\\. ~[\\d,]+ tokens: ${A}, ${B}, ${C}\\n`));
    expect(run.stdout).toMatch(/Estimated input: ~[\d,]+ tokens, ~\$\d+\.\d+; with every answer at its 8,192-token limit at most ~\$\d+\.\d+/);
    expect(run.stdout).toContain("The rules would read 4 files.");
    // A plan is not a review: no finding, no verdict.
    expect(run.stdout).not.toMatch(/eval|FAIL|pass/);
  });

  it("needs no key, and says that a review now would run the rules only", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ANTHROPIC_API_KEY is not set: a review now would run the rules only; the estimate is what the model would take.");
  });

  it("estimates what the review then really sends: as many requests as chunks, input tokens within 2%, cost at the model's price", async () => {
    const env = model({ CHUNK_INPUT_TOKENS: "1", MAX_REVIEW_CHUNKS: "2" });
    const dry = await runCli(repo.dir, ["review", "--head", "feature", "--dry-run", "--format", "json"], env);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as Plan;
    expect(plan.chunks.map((c) => c.files.map((f) => f.path))).toHaveLength(3);
    expect(plan.chunks.flatMap((c) => c.files.map((f) => f.path)).sort()).toEqual([A, B, C]);
    expect(plan.estimate.inputTokens).toBe(plan.chunks.reduce((sum, c) => sum + c.inputTokens, 0));
    expect(plan.estimate.inputCostUsd).toBeCloseTo((plan.estimate.inputTokens * 3) / 1e6, 8); // Sonnet: $3 per million input tokens
    expect(plan.overBudget).toEqual(["MAX_REVIEW_CHUNKS (2 requests; this review needs 3)"]);

    const real = await runCli(repo.dir, ["review", "--head", "feature", "--format", "json"], { ...env, MAX_REVIEW_CHUNKS: "10" });
    expect(real.code).toBe(1);
    expect(fake.requests).toHaveLength(3);
    const sent = fake.sentText().reduce((sum, text) => sum + Math.ceil(text.length / 3.5), 0);
    expect(Math.abs(sent - plan.estimate.inputTokens) / sent).toBeLessThan(0.02);

    const text = await runCli(repo.dir, ["review", "--head", "feature", "--dry-run"], env);
    expect(text.stdout).toContain("! over MAX_REVIEW_CHUNKS (2 requests; this review needs 3): the review would stop there and list the rest as not reviewed.");
  });

  it("says when there is nothing to review, and refuses a format it cannot print (exit 2)", async () => {
    const outside = makeRepo({ "frontend/app.js": "a\n" }, { "frontend/app.js": "b\n" });
    try {
      const [nothing, sarif] = await Promise.all([runCli(outside.dir, ["review", "--dry-run"]), runCli(outside.dir, ["review", "--dry-run", "--format", "sarif"])]);
      expect(nothing.code).toBe(0);
      expect(nothing.stdout).toContain("Nothing to review: no changed file matches backend/**.");
      expect(sarif.code).toBe(2);
      expect(sarif.stderr).toBe("backend-agent: error: --dry-run prints text or json, not sarif\n");
    } finally {
      outside.cleanup();
    }
  });
});
