/** Rule hits as candidates for the model, and the merge of its verdicts: what would be posted and what lands in the summary. */
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { candidatePrompt, mergeVerdicts, rejectedSummary, toCandidates } from "../../../src/rules/candidates.js";
import { runRules } from "../../../src/rules/index.js";
import type { Finding } from "../../../src/domain/findings.js";

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

const modelFinding = (line: number, category: Finding["category"] = "security"): Finding => ({
  path: "backend/platform/auth.py", line, side: "RIGHT", severity: "medium", category, title: "Timing leak", body: "Use hmac.compare_digest.", confidence: 0.9, source: "model",
});

describe("rule candidates for the model", () => {
  it("asks about every rule hit with the code around it, secrets redacted", () => {
    expect(compare).toBeDefined();
    const candidates = toCandidates(ruleFindings, files);
    const prompt = candidatePrompt(candidates);
    expect(candidates.map((c) => c.id)).toEqual(ruleFindings.map((_, i) => `R${i + 1}`));
    expect(prompt).toContain("secrets/non-constant-time-compare at backend/platform/auth.py:7");
    expect(prompt).toContain("if api_key != settings.PLATFORM_API_KEY:");
    expect(prompt).not.toContain(KEY);
    expect(candidatePrompt([])).toBe("");
  });

  it("posts a confirmed hit once, drops the model's duplicate, keeps its other findings", () => {
    const candidates = toCandidates(ruleFindings, files);
    const id = candidates.find((c) => c.finding === compare)?.id ?? "";
    const other = modelFinding(2, "bug");
    const merged = mergeVerdicts(candidates, [{ id, verdict: "confirmed", reason: "real" }], [modelFinding(7), other]);
    expect(merged.findings.filter((f) => f.line === 7).map((f) => f.source)).toEqual(["rule:secrets/non-constant-time-compare"]);
    expect(merged.findings).toContain(other);
    expect(merged.rejected).toEqual([]);
  });

  it("lists a rejected hit in a collapsed summary with the model's reason, neutralised, and posts unanswered ones", () => {
    const candidates = toCandidates(ruleFindings, files);
    const id = candidates.find((c) => c.finding === compare)?.id ?? "";
    const merged = mergeVerdicts(candidates, [{ id, verdict: "rejected", reason: "Both sides are hashes.\n# @admin <img src=x>" }], []);
    expect(merged.findings).not.toContain(compare);
    expect(merged.findings.length).toBe(ruleFindings.length - 1);
    const summary = rejectedSummary(merged.rejected);
    expect(summary).toMatch(/^<details><summary>1 rule hit the model rejected<\/summary>/);
    expect(summary).toContain("`secrets/non-constant-time-compare` backend/platform/auth.py:7 — Both sides are hashes.");
    expect(summary).not.toContain("\n# @admin");
    expect(summary).not.toContain("<img");
    expect(rejectedSummary([])).toBe("");
  });
});
