import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeAnthropic } from "../support/fake-anthropic.js";
import { lineOf, modelFinding } from "../support/django-fixtures.js";
import { makeRepo, runCli, type TempRepo } from "./cli-harness.js";

const SETTINGS = "backend/config/settings.py";
const VIEWS = "backend/billing/views.py";
// A live-format key: the rules report it, and it must never reach the model or the output.
const SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc9";
const SETTINGS_AFTER = `DEBUG = False\nSTRIPE_SECRET_KEY = "${SECRET}"\n`;
const VIEWS_BEFORE = `from .models import Invoice


def invoices(request):
    return Invoice.objects.filter(tenant=request.tenant)
`;
const VIEWS_AFTER = `from .models import Invoice


def invoices(request):
    return Invoice.objects.all()
`;
const allLine = lineOf(VIEWS_AFTER, "Invoice.objects.all()");

let fake: FakeAnthropic;
let repo: TempRepo;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  repo = makeRepo(
    { [SETTINGS]: "DEBUG = False\n", [VIEWS]: VIEWS_BEFORE },
    { [SETTINGS]: SETTINGS_AFTER, [VIEWS]: VIEWS_AFTER },
    `Show every invoice; key ${SECRET}`,
  );
});
afterAll(async () => {
  repo.cleanup();
  await fake.stop();
});
beforeEach(() => fake.reset());

const model = (extra: Record<string, string> = {}) => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0", ...extra });

describe("backend-agent review with the model (fake Anthropic over ANTHROPIC_BASE_URL)", () => {
  it("sends the redacted, numbered diff with the agent prompt and reports the model's finding with the rules'", async () => {
    fake.enqueue({
      kind: "json",
      value: {
        summary: "Tenant scoping was removed.",
        findings: [modelFinding({ path: VIEWS, line: allLine, category: "tenancy", severity: "critical", title: "Invoices of every tenant are returned" })],
      },
    });
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--format", "json"], model());

    expect(run.code).toBe(1);
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.sentText();
    expect(fake.requests[0]!.apiKey).toBe("test-key");
    expect(fake.requests[0]!.body.model).toBe("claude-sonnet-5-5");
    expect(sent).toContain("You are **backend-agent**");
    expect(sent).toContain(`### ${VIEWS} — modified`);
    expect(sent).toMatch(new RegExp(`\\s${allLine} \\+    return Invoice\\.objects\\.all\\(\\)`));
    expect(sent).toContain('STRIPE_SECRET_KEY = "<redacted:stripe-secret-key>"');
    expect(sent).toContain("title: Show every invoice; key <redacted:stripe-secret-key>");
    expect(sent).not.toContain(SECRET);

    const report = JSON.parse(run.stdout) as { findings: Array<Record<string, unknown>>; model: Record<string, unknown>; decision: Record<string, unknown> };
    expect(report.findings.map((f) => [f["source"], f["path"], f["line"], f["severity"]])).toEqual([
      ["model", VIEWS, allLine, "critical"],
      ["rule:secrets/known-token", SETTINGS, 2, "critical"],
    ]);
    expect(report.findings[0]).toMatchObject({ title: "Invoices of every tenant are returned", category: "tenancy", inline: true });
    expect(report.model).toMatchObject({ id: "claude-sonnet-5-5", calls: 1, chunks: 1 });
    expect(report.decision).toMatchObject({ conclusion: "failure", label: "critical" });
    expect(run.stderr).toContain("reviewing 2 files with claude-sonnet-5-5 in 1 chunk…");
    expect(run.stderr).toContain("chunks 1/1 done");
    expect(run.stderr).not.toContain("ANTHROPIC_API_KEY is not set");
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("shows the model finding in the text report with its code line", async () => {
    fake.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ path: VIEWS, line: allLine, severity: "medium", category: "bug", title: "Unscoped queryset" })] } });
    const run = await runCli(repo.dir, ["review", "--head", "feature"], model());
    expect(run.code).toBe(1); // the rules' critical secret finding
    expect(run.stdout).toMatch(/MEDIUM {3}Unscoped queryset {2}line 5 · bug · model 0\.90/);
    expect(run.stdout).toContain(`${allLine} │     return Invoice.objects.all()`);
    expect(run.stdout).toContain("model claude-sonnet-5-5 · 1 call · 1 chunk");
    expect(run.stdout).not.toContain(SECRET);
  });

  it("keeps the rules' findings, lists the file the model did not review and fails closed (exit 1, like the check) when the model call fails", async () => {
    fake.fallback = { kind: "error", status: 529, type: "overloaded_error" };
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--fail-on", "never"], model());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/warning: Part 1 of 1 .* was not reviewed by the model: The model call failed: the API is overloaded \(529\)/);
    expect(run.stdout).toContain("Stripe live secret key");
    expect(run.stdout).toContain(`! not reviewed: ${VIEWS} (the model request failed)`);
    expect(run.stdout).toContain("FAIL (review incomplete, onIncomplete: failure)");
  });

  it("lets an incomplete review pass (exit 0) only when the settings say `onIncomplete: neutral` (or the deprecated `onError: neutral`)", async () => {
    for (const setting of ["onIncomplete: neutral\n", "onError: neutral\n"]) {
      const lenient = makeRepo({ [VIEWS]: VIEWS_BEFORE, ".github/backend-agent.yml": setting }, { [VIEWS]: VIEWS_AFTER });
      try {
        fake.fallback = { kind: "error", status: 529, type: "overloaded_error" };
        const run = await runCli(lenient.dir, ["review", "--format", "json"], model());
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ decision: { conclusion: "neutral", exitCode: 0 }, findings: [], unreviewed: [{ path: VIEWS, reason: "not reviewed: the model request failed" }], problems: [expect.stringContaining("overloaded (529)")] });
      } finally {
        lenient.cleanup();
      }
    }
  });

  it("does not call the model with --rules-only, and says so in one line", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--rules-only"], model());
    expect(fake.requests).toHaveLength(0);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n").filter((l) => l.includes("Rules only"))).toHaveLength(1);
  });
});

describe("backend-agent review when the model fails: it says so, and what the rules alone covered", () => {
  // Three matching files with known rule findings: eval() (high), yaml.load (high), a live key (critical).
  const A = "backend/api/a.py";
  const B = "backend/api/b.py";
  const C = "backend/api/c.py";
  let three: TempRepo;
  beforeAll(() => {
    three = makeRepo(
      { [A]: "x = 1\n", [B]: "y = 1\n", [C]: "z = 1\n" },
      { [A]: "x = eval(input())\n", [B]: "import yaml\ny = yaml.load(data)\n", [C]: `z = 2\nSTRIPE_KEY = "${SECRET}"\n` },
    );
  });
  afterAll(() => three.cleanup());

  /** A port nothing listens on: the address of a server just closed. */
  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  };

  it("an unreachable API: never 'nothing to review', the reason in one line, the rules' findings counted in 3 files, exit 1", async () => {
    const run = await runCli(three.dir, ["review", "--head", "feature"], model({ ANTHROPIC_BASE_URL: `http://127.0.0.1:${await closedPort()}` }));
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("Nothing to review");
    const told = "The model failed (The Anthropic API could not be reached): only the deterministic rules ran, on 3 files.";
    expect(run.stdout).toContain(`! ${told}`);
    expect(run.stderr.split("\n")).toContain(`backend-agent: ${told}`);
    expect(run.stdout).toContain("1 critical, 2 high in 3 files, 0 of them by the model · fail on high: FAIL (and the review is incomplete)");
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("a 500 with --fail-on never still exits 1 (onIncomplete: failure); json carries the failure and what the rules read", async () => {
    fake.fallback = { kind: "error", status: 500, type: "api_error" };
    const [text, json, markdown] = await Promise.all([
      runCli(three.dir, ["review", "--head", "feature", "--fail-on", "never"], model()),
      runCli(three.dir, ["review", "--head", "feature", "--fail-on", "never", "--format", "json"], model()),
      runCli(three.dir, ["review", "--head", "feature", "--fail-on", "never", "--format", "markdown"], model()),
    ]);
    // The check summary's first line counts the files the rules read, never "in 0 files reviewed" beside their findings.
    expect(markdown.stdout).toContain("**1 critical, 2 high** in 3 files read by the rules and the secret scan; the model reviewed 0 of them.");
    expect(markdown.stdout).not.toMatch(/in 0 files/);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("! The model failed (The model call failed: the API answered 500): only the deterministic rules ran, on 3 files.");
    expect(text.stdout).toContain("1 critical, 2 high in 3 files, 0 of them by the model · fail on never: FAIL (review incomplete, onIncomplete: failure)");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      decision: { conclusion: "failure", exitCode: 1 },
      reviewed: [],
      rulesReviewed: [A, B, C],
      model: { failure: expect.stringContaining("the API answered 500") },
      notes: [expect.stringContaining("The model failed")],
    });
  });

  it("a model that fails on some chunks only: how many files the rules alone checked, and how many the model reviewed", async () => {
    fake.enqueue({ kind: "json", value: { summary: "", findings: [] } });
    fake.fallback = { kind: "error", status: 500, type: "api_error" };
    // One file per chunk, one request at a time: the first answers, the other two fail.
    const run = await runCli(three.dir, ["review", "--head", "feature"], model({ CHUNK_INPUT_TOKENS: "1", REVIEW_CONCURRENCY: "1" }));
    expect(fake.requests).toHaveLength(3);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("! The model failed on 2 files (The model call failed: the API answered 500): the deterministic rules alone checked them; the model reviewed 1 file.");
    expect(run.stdout).toContain("1 critical, 2 high in 3 files, 1 of them by the model");
  });

  it("lets an incomplete review exit 0 under `onIncomplete: neutral`, still saying the model failed", async () => {
    const lenient = makeRepo({ [A]: "x = 1\n", ".github/backend-agent.yml": "onIncomplete: neutral\n" }, { [A]: "x = 2\n" });
    try {
      fake.fallback = { kind: "error", status: 500, type: "api_error" };
      const run = await runCli(lenient.dir, ["review"], model());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("! The model failed (The model call failed: the API answered 500): only the deterministic rules ran, on 1 file.");
      expect(run.stdout).toContain("no findings in 1 file, 0 of them by the model · fail on high: pass (review incomplete, onIncomplete: neutral)");
    } finally {
      lenient.cleanup();
    }
  });
});
