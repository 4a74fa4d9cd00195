import { readFileSync } from "node:fs";
import { renderCheckSummary } from "../review/summary.js";
import { toSarif } from "./format-sarif.js";
import { formatText } from "./format-text.js";
import type { LocalReview } from "./local-review.js";

/** The report formats of `backend-agent review --format`. */
export const FORMATS = ["text", "markdown", "json", "sarif"] as const;
/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** The package's version, from the package.json two levels up from `src/cli/` and `dist/cli/` alike. */
export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

/**
 * The process exit code, the check run's conclusion: 1 when it would fail — a finding
 * reaches `failOn`, or the review did not cover every file (the model failed, a
 * budget ran out) and `onIncomplete: failure` (the default) fails closed — else 0.
 * Exit 2 stays for "the CLI could not run" (main.ts), which prints no report.
 */
export function exitCodeOf(review: LocalReview): 0 | 1 {
  return review.conclusion === "failure" ? 1 : 0;
}

/** The machine-readable report: the findings with their placement and the decision. */
function toJson(review: LocalReview) {
  const { report, analysis, settings, range } = review;
  return {
    tool: { name: "backend-agent", version: toolVersion() },
    range,
    decision: {
      conclusion: review.conclusion,
      failOn: settings.failOn,
      exitCode: exitCodeOf(review),
      label: analysis.decision.label ?? null,
    },
    findings: report.findings.map(({ finding, fingerprint, inline, reason }) => ({
      ...finding,
      startLine: finding.startLine ?? null,
      suggestion: finding.suggestion ?? null,
      fingerprint,
      inline,
      reason: reason ?? null,
    })),
    reviewed: report.reviewed,
    rulesReviewed: review.rulesReviewed,
    skipped: report.skipped,
    unreviewed: report.unreviewed,
    // The rules' hits the model rejected: not findings, listed so a reader can check the model's reasons.
    rejectedByModel: (report.confirmation?.rejected ?? []).map(({ finding, reason }) => ({
      rule: finding.source.slice("rule:".length), path: finding.path, line: finding.line, side: finding.side, severity: finding.severity, title: finding.title, reason,
    })),
    // Hits of rules posted only once the model confirms them, which nothing confirmed.
    heldBack: (report.held ?? []).map(({ finding, reason }) => ({
      rule: finding.source.slice("rule:".length), path: finding.path, line: finding.line, side: finding.side, severity: finding.severity, title: finding.title, reason,
    })),
    problems: report.problems,
    notes: report.notes,
    model: review.modelRan ? { id: report.model, calls: report.modelCalls, chunks: report.chunks, usage: report.usage, tools: report.tools ?? null, failure: review.modelFailure ?? null } : null,
    agent: report.agentSource,
  };
}

/** Renders the review in `format`; `color` only matters for text. */
export function formatReview(review: LocalReview, format: Format, color: boolean): string {
  switch (format) {
    case "text":
      return formatText(review, color);
    case "markdown":
      // The check run's own summary: what the App would show for the same diff.
      return `## backend-agent review of ${review.range.head} against ${review.range.baseRef}\n\n${renderCheckSummary(review.report)}\n`;
    case "json":
      return `${JSON.stringify(toJson(review), null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(toSarif(review, toolVersion()), null, 2)}\n`;
  }
}
