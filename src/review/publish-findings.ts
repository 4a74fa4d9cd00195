import type { ReviewSettings } from "../config/repo-config.js";
import type { FileDiff } from "../diff/types.js";
import type { Annotation, CheckConclusion } from "../github/check-run.js";
import { syncSecurityLabel } from "../github/labels.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { INLINE_REFUSED, publishReview } from "../github/publish-review.js";
import type { Finding } from "../types.js";
import { analyseFindings, conclude, newFileRange } from "./analyse-findings.js";
import { formatComment, location } from "./format.js";
import { countLine, renderCheckSummary, renderReviewBody, type ReportedFinding, type ReviewReport } from "./summary.js";

const LEVEL: Record<Finding["severity"], Annotation["annotation_level"]> = {
  critical: "failure",
  high: "failure",
  medium: "warning",
  low: "notice",
  info: "notice",
};

/** Steps 8 and 9 of a review: from raw findings to what lands on the PR. */
export interface PublishInput {
  octokit: Octokit;
  pull: PullRef;
  headSha: string;
  settings: ReviewSettings;
  diffs: FileDiff[];
  /** Filled in here with the findings; the rest was set by earlier steps. */
  report: ReviewReport;
  findings: Finding[];
  /** A security-only pass raises the label but never clears what a full review set. */
  partial?: boolean | undefined;
}

/** Everything the finished check run needs. */
export interface PublishResult {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  annotations: Annotation[];
  calls: number;
}

/** Annotations live on the new file; a finding with no line there (a deleted file) has none. */
function annotationOf(finding: Finding, file: FileDiff | undefined): Annotation[] {
  const range = newFileRange(finding, file);
  if (!range) return [];
  return [{
    path: finding.path,
    start_line: range.start,
    end_line: range.end,
    annotation_level: LEVEL[finding.severity],
    title: `${finding.severity}: ${finding.title}`.slice(0, 255),
    message: `${finding.body}\n\n(${location(finding)})`.slice(0, 64_000),
  }];
}

/**
 * Merges and places the findings, posts one review (inline comments up to
 * `maxComments`, the rest in its body), syncs the security label, and builds the
 * check summary and annotations.
 */
export async function publishFindings(input: PublishInput): Promise<PublishResult> {
  const { octokit, pull, settings, report } = input;
  const analysis = analyseFindings(input.findings, input.diffs, settings);
  const { decision } = analysis;
  report.findings = analysis.findings;
  const byPath = new Map(input.diffs.map((d) => [d.path, d]));
  let calls = 0;

  if (report.findings.length > 0) {
    const outcome = await publishReview(octokit, {
      ...pull,
      commitId: input.headSha,
      event: decision.event,
      body: renderReviewBody(report),
      fallbackBody: renderReviewBody(report, INLINE_REFUSED),
      comments: report.findings
        .filter((f) => f.inline)
        .map((f) => ({ path: f.finding.path, line: f.finding.line, side: f.finding.side, startLine: f.finding.startLine, body: formatComment(f.finding, f.fingerprint) })),
    });
    calls += outcome.posted === "inline" ? 1 : 2;
    if (outcome.posted === "body-only") {
      report.findings = report.findings.map((f): ReportedFinding => (f.inline ? { ...f, inline: false, reason: outcome.reason } : f));
    }
  }
  if (settings.labels) calls += await syncSecurityLabel(octokit, pull, decision.label, { onlyRaise: input.partial });

  const incomplete = report.problems.length > 0;
  const conclusion = conclude(decision, incomplete, settings.onError);
  const title = `${countLine(report.findings).replace(/^./, (c) => c.toUpperCase())}${incomplete ? " (review incomplete)" : ""}`;
  const annotations = report.findings.flatMap(({ finding }) => annotationOf(finding, byPath.get(finding.path)));
  return { conclusion, title, summary: renderCheckSummary(report), annotations, calls };
}
