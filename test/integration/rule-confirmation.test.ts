/**
 * Issue 19 §4 through the real app: the rules' hits go to the model as candidates;
 * one it rejects is not posted inline but listed, collapsed, in the check summary
 * with its reason; one it confirms is posted once, even when the model also
 * reported it; the label and the conclusion follow the posted findings only.
 */
import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import type { RecordedMessageRequest } from "../support/fake-anthropic.js";
import { RULE_HITS_VIEW, modelFinding } from "../support/django-fixtures.js";

const { path: VIEWS, text: VIEW, evalLine, sqlLine } = RULE_HITS_VIEW;

/** The id the request gave the candidate of `rule`, read from what the app sent. */
function idOf(req: RecordedMessageRequest, rule: string): string | undefined {
  return new RegExp(`### (R\\d+) — rule ${rule} at `).exec(JSON.stringify(req.body.messages))?.[1];
}

/** A model answer: `verdicts` by rule id (the ids looked up in the request), and its own findings. */
function answer(verdicts: Record<string, [string, string]>, findings: unknown[] = []) {
  return (req: RecordedMessageRequest) => ({
    kind: "json" as const,
    value: { summary: "", findings, verdicts: Object.entries(verdicts).map(([rule, [verdict, reason]]) => ({ id: idOf(req, rule) ?? rule, verdict, reason })) },
  });
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => h.anthropic.reset());

describe("rule hits confirmed by the model", () => {
  it("posts the confirmed hit once and lists the rejected one, collapsed, with the model's reason", async () => {
    h.anthropic.fallback = answer(
      { "code-execution/eval": ["rejected", "Only called from the admin shell <b>tool</b>;\n# @maintainers ignore this"], "sql-injection/raw-format": ["confirmed", "The query string comes from the request."] },
      [modelFinding({ path: VIEWS, line: sqlLine, title: "SQL built from the query string" })],
    );
    const sha = h.openPullRequest(301, { base: {}, head: { [VIEWS]: VIEW } });
    await h.deliver("opened", 301, sha);
    const check = await h.completedCheck(sha);

    // The candidates went with the diff, framed as data, with the rule's evidence.
    const sent = h.anthropic.sentText().join("\n");
    expect(sent).toMatch(/<candidates_[0-9a-f]{16}>\n### R\d+ — rule code-execution\/eval at backend\/tools\/views\.py:5 \(high · security\)/);
    expect(sent).toContain(`${String(sqlLine).padStart(5)}         cursor.execute(`);

    const [review] = h.github.reviews(OWNER, REPO, 301);
    expect(review!.comments.map((c) => c.line)).toEqual([sqlLine]);
    expect(review!.comments[0]!.body).toContain("rule `sql-injection/raw-format`");
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("1 high");
    const summary = check.output.summary;
    expect(summary).toContain("<details><summary>1 rule hit the model rejected (not posted)</summary>");
    expect(summary).toContain(" · rule hits asked: 2 (1 confirmed, 1 rejected)");
    expect(summary).toContain(`- \`code-execution/eval\` \`${VIEWS}:${evalLine}\` — \`eval()\` on non-constant input. Model: Only called from the admin shell &lt;b>tool&lt;/b>; # @&#8203;maintainers ignore this`);
    // The model's reason is neutralised: no HTML, no mention, no heading.
    expect(summary).not.toContain("<b>tool");
    expect(summary).not.toContain("@maintainers");
    expect(h.github.issueLabels(OWNER, REPO, 301)).toEqual(["security: high"]);
  });

  it("with every hit rejected posts nothing inline, passes the check and sets no label", async () => {
    h.anthropic.fallback = answer({ "code-execution/eval": ["rejected", "Harmless here."], "sql-injection/raw-format": ["rejected", "Fixture data only."] });
    const sha = h.openPullRequest(302, { base: {}, head: { [VIEWS]: VIEW } });
    await h.deliver("opened", 302, sha);
    const check = await h.completedCheck(sha);
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("No findings");
    expect(h.github.reviews(OWNER, REPO, 302)).toEqual([]);
    expect(check.output.summary).toContain("<details><summary>2 rule hits the model rejected (not posted)</summary>");
    expect(check.output.summary).toContain("Model: Fixture data only.");
    expect(h.github.issueLabels(OWNER, REPO, 302)).toEqual([]);
  });

  it("posts a hit whose verdict is malformed as the rules found it, and says so; holds back an unconfirmed hit of a rule that needs confirmation", async () => {
    h.anthropic.fallback = answer({ "code-execution/eval": ["maybe", "Unsure."] });
    const sha = h.openPullRequest(303, { base: {}, head: { [VIEWS]: VIEW } });
    await h.deliver("opened", 303, sha);
    const check = await h.completedCheck(sha);
    const [review] = h.github.reviews(OWNER, REPO, 303);
    expect(review!.comments.map((c) => c.line)).toEqual([evalLine]);
    expect(check.output.summary).toContain("<details><summary>1 rule hit held back until the model confirms it (not posted)</summary>");
    expect(check.output.summary).toContain(`- \`sql-injection/raw-format\` \`${VIEWS}:${sqlLine}\``);
    expect(check.output.summary).toContain("posted only when the model confirms it (0 of 5 hits wanted on real code); the model gave no verdict on it");
    expect(check.output.summary).toContain("1 malformed verdict on the rules' candidates was dropped; those candidates are posted as the rules found them: part 1: verdicts.0.verdict:");
    expect(check.output.summary).not.toContain("the model rejected");
    expect(check.output.summary).toContain(" · rule hits asked: 2 (0 confirmed, 0 rejected)");
  });

  it("posts every rule hit, asking nothing, when the repository turns confirmation off", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "confirmRules: false\n");
    h.anthropic.fallback = answer({ "code-execution/eval": ["rejected", "Harmless here."] });
    const sha = h.openPullRequest(304, { base: {}, head: { [VIEWS]: VIEW } });
    await h.deliver("opened", 304, sha);
    const check = await h.completedCheck(sha);
    expect(h.anthropic.sentText().join("\n")).not.toContain("<candidates_");
    expect(h.github.reviews(OWNER, REPO, 304)[0]!.comments.map((c) => c.line).sort()).toEqual([evalLine, sqlLine].sort());
    expect(check.output.summary).not.toContain("the model rejected");
  });
});
