import type { EvalCase, ExpectedProblem } from "../../../src/eval/cases.js";
import { matchFindings } from "../../../src/eval/match.js";
import { rates, scoreCase, total } from "../../../src/eval/score.js";
import type { Finding } from "../../../src/domain/findings.js";

const problem = (over: Partial<ExpectedProblem> = {}): ExpectedProblem => ({
  path: "backend/billing/views.py", lines: [10, 12], category: "tenancy", severity: "critical", description: "tenant filter dropped", ...over,
});
const finding = (over: Partial<Finding> = {}): Finding => ({
  path: "backend/billing/views.py", line: 11, side: "RIGHT", severity: "high", category: "tenancy", title: "t", body: "b", confidence: 0.9, source: "model", ...over,
});
const evalCase = (problems: ExpectedProblem[]): EvalCase => ({ name: "c", dir: "/nowhere", title: "t", problems, change: { kind: "head", dir: "/nowhere" } });

describe("matcher", () => {
  it("matches within the range widened by 3 lines, not 4", () => {
    expect(matchFindings([finding({ line: 7 })], [problem()]).matches).toHaveLength(1);
    expect(matchFindings([finding({ line: 15 })], [problem()]).matches).toHaveLength(1);
    expect(matchFindings([finding({ line: 6 })], [problem()]).matches).toHaveLength(0);
    expect(matchFindings([finding({ line: 16 })], [problem()]).matches).toHaveLength(0);
  });

  it("holds a finding on removed lines (LEFT) against the base file's oldLines when the case gives them", () => {
    const removed = problem({ lines: [4, 4], oldLines: [20, 22] });
    expect(matchFindings([finding({ side: "LEFT", line: 21 })], [removed]).matches).toHaveLength(1);
    expect(matchFindings([finding({ side: "RIGHT", line: 21 })], [removed]).matches).toHaveLength(0);
    expect(matchFindings([finding({ side: "LEFT", line: 5 })], [problem({ lines: [4, 4] })]).matches).toHaveLength(1);
  });

  it("matches a multi-line finding whose range overlaps the window", () => {
    expect(matchFindings([finding({ startLine: 2, line: 7 })], [problem()]).matches).toHaveLength(1);
  });

  it("needs the same path and category; a near finding of another category is disputed, not matched", () => {
    expect(matchFindings([finding({ path: "backend/billing/models.py" })], [problem()]).matches).toHaveLength(0);
    const { matches, disputed } = matchFindings([finding({ category: "security" })], [problem()]);
    expect(matches).toEqual([]);
    expect(disputed).toEqual([{ problem: 0, finding: 0 }]);
  });

  it("takes a judge's accepted pair as a match despite the category", () => {
    const f = finding({ category: "security", title: "leak" });
    const key = `0|${f.path}:${f.line}-${f.line}:security:leak`;
    expect(matchFindings([f], [problem()], new Set([key])).matches).toEqual([{ problem: 0, finding: 0 }]);
  });

  it("matches each problem once, the most confident finding first; the second is a duplicate", () => {
    const result = matchFindings([finding({ confidence: 0.5 }), finding({ confidence: 0.95 })], [problem()]);
    expect(result.matches).toEqual([{ problem: 0, finding: 1 }]);
    expect(result.duplicates).toEqual([0]);
  });
});

describe("scorer", () => {
  it("counts hits, false positives and misses, and drops findings under the cut-off", () => {
    const c = evalCase([problem(), problem({ path: "backend/billing/models.py", category: "migration", severity: "high" })]);
    const findings = [finding(), finding({ path: "backend/other.py", category: "performance", severity: "low" }), finding({ path: "backend/x.py", confidence: 0.3 })];
    const s = scoreCase(c, findings, 0.7);
    expect([s.tp, s.fp, s.fn]).toEqual([1, 1, 1]);
    expect(s.byCategory).toEqual({ tenancy: { tp: 1, fp: 0, fn: 0 }, migration: { tp: 0, fp: 0, fn: 1 }, performance: { tp: 0, fp: 1, fn: 0 } });
    expect(s.bySeverity).toEqual({ critical: { tp: 1, fp: 0, fn: 0 }, high: { tp: 0, fp: 0, fn: 1 }, low: { tp: 0, fp: 1, fn: 0 } });
    expect(scoreCase(c, findings, 0.2).fp).toBe(2);
  });

  it("gives no precision without findings and no recall without problems", () => {
    expect(rates({ tp: 0, fp: 0, fn: 2 })).toEqual({ tp: 0, fp: 0, fn: 2, precision: null, recall: 0, f1: null });
    expect(rates({ tp: 0, fp: 1, fn: 0 })).toMatchObject({ precision: 0, recall: null, f1: null });
    expect(rates({ tp: 1, fp: 1, fn: 1 })).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("totals cases overall and in the rubric's order", () => {
    const a = scoreCase(evalCase([problem({ severity: "low" })]), [finding()], 0);
    const b = scoreCase(evalCase([problem({ category: "migration", severity: "critical" })]), [], 0);
    const t = total([a, b]);
    expect(t.all).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(Object.keys(t.bySeverity)).toEqual(["critical", "low"]);
    expect(Object.keys(t.byCategory)).toEqual(["tenancy", "migration"]);
  });
});
