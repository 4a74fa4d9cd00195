/**
 * Domain types shared by every layer. They carry no behaviour and know nothing of
 * GitHub or Anthropic, so the pure core (`diff/`, `rules/`) can depend on them.
 */

/** Severity rubric, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a finding is about. */
export const CATEGORIES = [
  "security",
  "bug",
  "tenancy",
  "migration",
  "performance",
  "test",
  "maintainability",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** GitHub's diff sides: RIGHT is the new file (added/context lines), LEFT the old one. */
export type Side = "LEFT" | "RIGHT";

/** A problem found in the diff, by the model or by a deterministic rule. */
export interface Finding {
  path: string;
  /** Last line of the range, numbered on `side`. */
  line: number;
  /** First line of a multi-line range, same side and hunk as `line`. */
  startLine?: number | undefined;
  side: Side;
  severity: Severity;
  category: Category;
  title: string;
  body: string;
  /** Replacement for lines `startLine..line` (RIGHT only), complete and local. */
  suggestion?: string | undefined;
  /** 0..1; the model's own estimate, 1 for deterministic rules. */
  confidence: number;
  /** Who found it: the model, or the id of the rule that fired. */
  source: "model" | `rule:${string}`;
}

/** Ranks severities so that a lower number is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** True when `severity` is at least as severe as `threshold`. */
export function reaches(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}
