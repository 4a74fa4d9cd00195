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
    expect(run.stdout).toContain("model claude-sonnet-5-5 · 1 calls · 1 chunks");
    expect(run.stdout).not.toContain(SECRET);
  });

  it("keeps the rules' findings, lists the file the model did not review and fails closed (exit 2) when the model call fails", async () => {
    fake.fallback = { kind: "error", status: 529, type: "overloaded_error" };
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--fail-on", "never"], model());
    expect(run.code).toBe(2);
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
