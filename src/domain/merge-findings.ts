import { severityRank, type Finding } from "./findings.js";

const overlaps = (a: Finding, b: Finding) =>
  a.path === b.path && a.side === b.side && (a.startLine ?? a.line) <= b.line && (b.startLine ?? b.line) <= a.line;

/** Categories that name one problem from two sides: a rule's data exposure is the model's tenant leak on the same line. */
const KIN: ReadonlyArray<ReadonlySet<string>> = [new Set(["security", "tenancy"])];
const sameKind = (a: Finding, b: Finding) => a.category === b.category || KIN.some((kin) => kin.has(a.category) && kin.has(b.category));

/**
 * Drops model findings under the confidence floor, then keeps one finding per
 * problem: two findings of one kind of category on overlapping lines are the same
 * problem. The rule's (certain) or the more severe one is kept, with the more
 * severe of the two severities (the model may know the context makes it worse).
 */
export function mergeFindings(findings: readonly Finding[], minConfidence: number): Finding[] {
  const kept: Finding[] = [];
  const ranked = findings
    .filter((f) => f.source !== "model" || f.confidence >= minConfidence)
    .sort((a, b) => Number(b.source !== "model") - Number(a.source !== "model") || severityRank(a.severity) - severityRank(b.severity));
  for (const finding of ranked) {
    const at = kept.findIndex((k) => sameKind(k, finding) && overlaps(k, finding));
    if (at < 0) kept.push(finding);
    else if (severityRank(finding.severity) < severityRank(kept[at]!.severity)) kept[at] = { ...kept[at]!, severity: finding.severity };
  }
  return kept.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.path.localeCompare(b.path) || a.line - b.line);
}
