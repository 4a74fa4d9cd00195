import { failingCounts, quoteReason, unreviewedSection } from "../../../src/commands/run-skip.js";
import { renderCheckSummary, type ReviewReport } from "../../../src/review/summary.js";

const report = (over: Partial<ReviewReport>): ReviewReport => ({
  findings: [], reviewed: [], skipped: [], unreviewed: [], model: "m", usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  modelCalls: 0, chunks: 0, costUsd: 0, agentSource: "bundled", problems: [], notes: [], ...over,
});

describe("skip's reading of the last run", () => {
  it("finds the findings that reach failOn in one of our titles, and none under failOn: never", () => {
    expect(failingCounts("1 critical, 2 low (review incomplete: 3 files not reviewed)", "high")).toEqual(["1 critical"]);
    expect(failingCounts("2 medium, 1 low (review incomplete: 1 file not reviewed)", "high")).toEqual([]);
    expect(failingCounts("2 medium (review incomplete)", "medium")).toEqual(["2 medium"]);
    expect(failingCounts("No findings (review incomplete: 12 files not reviewed)", "info")).toEqual([]);
    expect(failingCounts("Review could not run (review incomplete)", "low")).toEqual([]);
    expect(failingCounts("1 critical", "never")).toEqual([]);
  });

  it("copies the unreviewed list of a summary we wrote, every listed line and the exact count", () => {
    const unreviewed = Array.from({ length: 260 }, (_, i) => ({ path: `backend/f${i}.py`, reason: "not reviewed: the model request failed" }));
    const summary = renderCheckSummary(report({ unreviewed, unlisted: 7, problems: ["x"] }), { onIncomplete: "failure", agentName: "backend-agent" });
    const section = unreviewedSection(summary)!;
    expect(section.split("\n")[0]).toBe("### Not reviewed (267 files)");
    expect(section).toContain("- `backend/f0.py` — not reviewed: the model request failed");
    expect(section).toContain("- `backend/f249.py` —");
    expect(section).not.toContain("backend/f250.py");
    expect(section).toContain("- … and 10 more files not listed here");
    expect(section).toContain("- 7 more files beyond the 3,000 GitHub lists");
    expect(section).not.toContain("To finish");
    expect(unreviewedSection("**no findings** in 2 files reviewed.")).toBeUndefined();
  });

  it("quotes a reason as one inert line of inline code, secrets redacted", () => {
    const token = `ghp_${"a1B2c3D4e5".repeat(4)}`;
    expect(quoteReason("see `x`\n<!-- m --> @org/team")).toBe("`see 'x' <!-- m --> @org/team`");
    expect(quoteReason(`leaked ${token}`)).toBe("`leaked <redacted:github-token>`");
  });
});
