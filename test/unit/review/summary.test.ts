import { renderCheckSummary, type ReviewReport } from "../../../src/review/summary.js";
import type { Finding } from "../../../src/domain/findings.js";

const finding = (i: number): Finding => ({
  path: `backend/a${i}.py`, line: i, side: "RIGHT", severity: "high", category: "security", title: `Title | ${i}`, body: "b", confidence: 1, source: "rule:x/y",
});

const report = (over: Partial<ReviewReport>): ReviewReport => ({
  findings: [], reviewed: ["backend/a.py"], skipped: [], unreviewed: [], model: "claude-sonnet-5-5", usage: { input: 10, output: 5, cacheRead: 100, cacheWrite: 0 },
  modelCalls: 1, chunks: 1, costUsd: 0.0012, agentSource: "bundled", problems: [], notes: [], ...over,
});

describe("the check summary", () => {
  it("renders the findings as one markdown table (no blank line between rows) with cells escaped", () => {
    const text = renderCheckSummary(report({ findings: [1, 2].map((i) => ({ finding: finding(i), fingerprint: "f", inline: true })) }));
    expect(text).toContain(
      [
        "| Severity | Where | Finding | |",
        "|---|---|---|---|",
        "| 🔴 **High** · security | `backend/a1.py:1` | Title \\| 1 | inline |",
        "| 🔴 **High** · security | `backend/a2.py:2` | Title \\| 2 | inline |",
      ].join("\n"),
    );
    expect(text).toContain("tokens: 10 in (+100 cached read, 0 cache write), 5 out · ~$0.0012");
  });

  it("caps the file lists so a 3,000-file PR leaves room for the findings", () => {
    const reviewed = Array.from({ length: 3000 }, (_, i) => `backend/f${i}.py`);
    const text = renderCheckSummary(report({ reviewed }));
    expect(text).toContain("Files: 3000 reviewed, 0 skipped");
    expect(text).toContain("- … and 2750 more");
    expect(text).not.toContain("backend/f2999.py");
  });
});
