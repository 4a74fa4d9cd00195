import { RULE_FAMILIES, RULES, effectiveSeverity, isRuleKey, runRules } from "../../../src/rules/index.js";
import { RULE_IDS } from "../../../src/rules/rule-ids.js";
import { loadFixture } from "./load-fixture.js";

const EVAL = loadFixture("code-execution/tp-eval-request-data");
const AWS = loadFixture("secrets/tp-aws-keys-in-settings");

describe("rules config", () => {
  it("reports at the rule's default severity without config", () => {
    expect(runRules(EVAL).map((f) => [f.source, f.severity])).toEqual([["rule:code-execution/eval", "high"]]);
  });

  it("changes a rule's severity by id", () => {
    expect(runRules(EVAL, { "code-execution/eval": "critical" }).map((f) => f.severity)).toEqual(["critical"]);
  });

  it("changes a whole family's severity", () => {
    expect(runRules(EVAL, { "code-execution": "low" }).map((f) => f.severity)).toEqual(["low"]);
  });

  it("lets a rule id win over its family", () => {
    expect(runRules(EVAL, { "code-execution": "off", "code-execution/eval": "medium" }).map((f) => f.severity)).toEqual(["medium"]);
    expect(runRules(EVAL, { "code-execution": "critical", "code-execution/eval": "off" })).toEqual([]);
  });

  it("turns a rule off by id or by family, leaving the others", () => {
    expect(runRules(EVAL, { "code-execution/eval": "off" })).toEqual([]);
    expect(runRules(AWS, { secrets: "off" })).toEqual([]);
    expect(runRules([...EVAL, ...AWS], { "secrets/known-token": "off" }).map((f) => f.source)).toEqual(["rule:code-execution/eval"]);
  });

  it("ignores keys that name no rule and values that are no severity", () => {
    const loose = { "sql-injecton": "off", "code-execution/eval": "urgent" } as unknown as Record<string, "off">;
    expect(runRules(EVAL, loose).map((f) => f.severity)).toEqual(["high"]);
    expect(isRuleKey("sql-injecton")).toBe(false);
    expect(isRuleKey("sql-injection")).toBe(true);
    expect(isRuleKey("secrets/known-token")).toBe(true);
  });

  it("has a registry with unique ids named after their family", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The list the repo config validates against (without loading the rules) names the same rules, in order.
    expect(RULE_IDS).toEqual(ids);
    for (const r of RULES) {
      expect(r.id.startsWith(`${r.family}/`)).toBe(true);
      expect(r.title.length).toBeLessThanOrEqual(80);
      expect(effectiveSeverity(r)).toBe(r.defaultSeverity);
    }
    expect(RULE_FAMILIES).toEqual([
      "secrets",
      "code-execution",
      "sql-injection",
      "templating",
      "auth-settings",
      "drf",
      "tenants",
      "migrations",
      "celery",
    ]);
  });

  it("turns a hit into a finding the pipeline can post", () => {
    const [f] = runRules(EVAL);
    expect(f).toMatchObject({
      path: "backend/reports/views.py",
      side: "RIGHT",
      category: "security",
      confidence: 1,
      source: "rule:code-execution/eval",
    });
    expect(f?.body).toMatch(/_Rule `code-execution\/eval`\._$/);
  });

  it("skips files without hunks (binary, rename only)", () => {
    expect(runRules([{ path: "backend/x.py", status: "renamed", hunks: [], noHunksReason: "renamed without changes" }])).toEqual([]);
  });
});
