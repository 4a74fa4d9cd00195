/**
 * Issue 19 §4 in the CLI (the same core as the app): with a model, a rule hit it
 * rejects leaves the findings and the exit code and is listed with the reason;
 * `--rules-only` reports every hit as before.
 */
import { FakeAnthropic, type RecordedMessageRequest } from "../support/fake-anthropic.js";
import { RULE_HITS_VIEW } from "../support/django-fixtures.js";
import { makeRepo, runCli, type TempRepo } from "./cli-harness.js";

const { path: VIEWS, text: VIEW, evalLine, sqlLine } = RULE_HITS_VIEW;

let fake: FakeAnthropic;
let repo: TempRepo;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  repo = makeRepo({ "backend/__init__.py": "" }, { [VIEWS]: VIEW }, "Admin tools");
});
afterAll(async () => {
  repo.cleanup();
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  // Rejects the eval hit (an escape sequence in its reason must not reach the terminal) and confirms the SQL one.
  fake.fallback = (req: RecordedMessageRequest) => {
    const text = JSON.stringify(req.body.messages);
    const id = (rule: string) => new RegExp(`### (R\\d+) — rule ${rule} at `).exec(text)?.[1];
    return {
      kind: "json",
      value: {
        summary: "",
        findings: [],
        verdicts: [
          { id: id("code-execution/eval"), verdict: "rejected", reason: "Admin shell only.\u001b[2J" },
          { id: id("sql-injection/raw-format"), verdict: "confirmed", reason: "User input in SQL." },
        ],
      },
    };
  };
});

const model = { ANTHROPIC_API_KEY: "test-key", MODEL_MAX_RETRIES: "0" };
const env = () => ({ ...model, ANTHROPIC_BASE_URL: fake.url });

describe("backend-agent review: rule hits confirmed by the model", () => {
  it("reports the confirmed hit and lists the rejected one with the model's reason (text)", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature"], env());
    expect(run.code).toBe(1); // the confirmed SQL injection is high
    expect(run.stdout).toContain(`${sqlLine} │         cursor.execute(`);
    expect(run.stdout).not.toContain(`${evalLine} │     return eval(`);
    expect(run.stdout).toContain(`rejected by the model (not reported): 1\n  code-execution/eval ${VIEWS}:${evalLine} — \`eval()\` on non-constant input: Admin shell only. [2J`);
    expect(run.stdout).not.toContain("\u001b[2J");
    expect(run.stdout).toMatch(/1 high in 1 file, 1 of them by the model/);
  });

  it("keeps the rejected hit out of the JSON findings and lists it apart", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--format", "json"], env());
    const report = JSON.parse(run.stdout) as { findings: Array<{ source: string }>; rejectedByModel: Array<Record<string, unknown>> };
    expect(report.findings.map((f) => f.source)).toEqual(["rule:sql-injection/raw-format"]);
    expect(report.rejectedByModel).toEqual([expect.objectContaining({ rule: "code-execution/eval", path: VIEWS, line: evalLine, reason: "Admin shell only.\u001b[2J" })]);
  });

  it("reports the rules' hits with --rules-only, asking nothing; a rule that needs the model's confirmation is held back and listed", async () => {
    const run = await runCli(repo.dir, ["review", "--head", "feature", "--rules-only", "--format", "json"], env());
    const report = JSON.parse(run.stdout) as { findings: Array<{ source: string }>; rejectedByModel: unknown[]; heldBack: Array<Record<string, unknown>> };
    expect(fake.requests).toHaveLength(0);
    expect(report.findings.map((f) => f.source)).toEqual(["rule:code-execution/eval"]);
    expect(report.rejectedByModel).toEqual([]);
    expect(report.heldBack).toEqual([
      expect.objectContaining({ rule: "sql-injection/raw-format", reason: "posted only when the model confirms it (0 of 5 hits wanted on real code); no model reviewed this change" }),
    ]);
    const text = await runCli(repo.dir, ["review", "--head", "feature", "--rules-only"], env());
    expect(text.stdout).toContain("held back until the model confirms them (not reported): 1");
  });
});
