import { severityRank, type Finding } from "./findings.js";

const overlaps = (a: Finding, b: Finding) =>
  a.path === b.path && a.side === b.side && (a.startLine ?? a.line) <= b.line && (b.startLine ?? b.line) <= a.line;

/**
 * Drops model findings under the confidence floor, then keeps one finding per
 * problem: two findings of one category on overlapping lines are the same
 * problem, and the rule's (certain) or the more severe one wins.
 */
export function mergeFindings(findings: readonly Finding[], minConfidence: number): Finding[] {
  const kept: Finding[] = [];
  const ranked = findings
    .filter((f) => f.source !== "model" || f.confidence >= minConfidence)
    .sort((a, b) => Number(b.source !== "model") - Number(a.source !== "model") || severityRank(a.severity) - severityRank(b.severity));
  for (const finding of ranked) {
    if (!kept.some((k) => k.category === finding.category && overlaps(k, finding))) kept.push(finding);
  }
  return kept.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.path.localeCompare(b.path) || a.line - b.line);
}
