/** Rule hits as candidates for the model, and the merge of its verdicts: what would be posted and what lands in the summary. */
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { applyVerdicts, candidateBlock, rejectedSummary, toCandidates } from "../../../src/rules/candidates.js";
import { runRules } from "../../../src/rules/index.js";

const KEY = "sk-ant-api03-" + "A".repeat(93) + "AA";
const patch = [
  "@@ -1,3 +1,8 @@",
  " import logging",
  "+from django.conf import settings",
  " ",
  " def check(request):",
  "+    anthropic_key = \"" + KEY + "\"",
  "+    api_key = request.headers.get(\"X-Api-Key\")",
  "+    if api_key != settings.PLATFORM_API_KEY:",
  "+        raise PermissionError(\"bad key\")",
].join("\n");
const files = [toFileDiff({ path: "backend/platform/auth.py", status: "modified", additions: 5, deletions: 0, patch })];
const ruleFindings = runRules(files);
const compare = ruleFindings.find((f) => f.source === "rule:secrets/non-constant-time-compare");

describe("rule candidates for the model", () => {
  it("offers each judgement hit with the rule's message and the code around it, secrets redacted; never the leaked key itself", () => {
    expect(compare).toBeDefined();
    const candidates = toCandidates(ruleFindings, files);
    expect(candidates.map((c) => c.finding.source)).toContain("rule:secrets/non-constant-time-compare");
    expect(candidates.map((c) => c.finding.source)).not.toContain("rule:secrets/known-token");
    expect(candidates.map((c) => c.id)).toEqual(candidates.map((_, i) => `R${i + 1}`));
    const block = candidateBlock(candidates);
    expect(block).toContain("rule secrets/non-constant-time-compare at backend/platform/auth.py:7");
    expect(block).toContain(`Rule's message: ${compare!.body.split("\n")[0]}`);
    expect(block).toContain("if api_key != settings.PLATFORM_API_KEY:");
    expect(block).not.toContain(KEY);
  });

  it("keeps confirmed and unanswered hits, and sets rejected ones apart with the reason, redacted", () => {
    const candidates = toCandidates(ruleFindings, files);
    const id = candidates.find((c) => c.finding === compare)!.id;
    expect(applyVerdicts(candidates, [{ id, verdict: "confirmed", reason: "real" }])).toEqual({ rejected: [], confirmed: 1 });
    const applied = applyVerdicts(candidates, [{ id, verdict: "rejected", reason: `Both sides are hashes ${KEY}` }]);
    expect(applied.confirmed).toBe(0);
    expect(applied.rejected).toEqual([{ finding: compare, reason: expect.stringMatching(/^Both sides are hashes <redacted:/) }]);
  });

  it("lists rejected hits collapsed, the model's reason neutralised", () => {
    const summary = rejectedSummary([{ finding: compare!, reason: "Both sides are hashes.\n# @admin <img src=x>" }]);
    expect(summary).toMatch(/^<details><summary>1 rule hit the model rejected \(not posted\)<\/summary>/);
    expect(summary).toContain("`secrets/non-constant-time-compare` `backend/platform/auth.py:7`");
    expect(summary).toContain("Model: Both sides are hashes.");
    expect(summary).not.toContain("\n# @admin");
    expect(summary).not.toContain("<img");
    expect(rejectedSummary([])).toBe("");
  });
});
