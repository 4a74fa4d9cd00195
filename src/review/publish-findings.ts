import type { ReviewSettings } from "../config/repo-config.js";
import type { FileDiff } from "../diff/types.js";
import type { Annotation, CheckConclusion } from "../github/check-run.js";
import { syncSecurityLabel } from "../github/labels.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { INLINE_REFUSED, publishReview } from "../github/publish-review.js";
import { redactText } from "../diff/redact.js";
import type { Finding } from "../types.js";
import { decide } from "./decide.js";
import { fingerprint } from "./fingerprint.js";
import { formatComment, location } from "./format.js";
import { mergeFindings } from "./merge-findings.js";
import { placeFindings } from "./place-findings.js";
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
}

/** Everything the finished check run needs. */
export interface PublishResult {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  annotations: Annotation[];
  calls: number;
}

/** Model text is posted on GitHub: it passes the same redaction as the diff. */
const scrub = (f: Finding): Finding => ({
  ...f,
  title: redactText(f.title).text,
  body: redactText(f.body).text,
  suggestion: f.suggestion === undefined ? undefined : redactText(f.suggestion).text,
});

/**
 * Annotations live on the new file. A finding on deleted lines points at the start
 * of its hunk there; one in a deleted file has no line to point at.
 */
function annotationOf(finding: Finding, file: FileDiff | undefined): Annotation[] {
  let start = finding.startLine ?? finding.line;
  let end = finding.line;
  if (finding.side === "LEFT") {
    if (!file || file.status === "removed") return [];
    const hunk = file.hunks.find((h) => h.lines.some((l) => l.oldLine === finding.line && l.kind !== "add"));
    start = end = Math.max(1, hunk?.newStart ?? 1);
  }
  return [{
    path: finding.path,
    start_line: start,
    end_line: end,
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
  const merged = mergeFindings(input.findings.map(scrub), settings.minConfidence);
  const { placed, unplaced } = placeFindings(merged, input.diffs);
  const byPath = new Map(input.diffs.map((d) => [d.path, d]));
  const inline = placed.slice(0, settings.maxComments);
  report.findings = [
    ...inline.map((finding) => ({ finding, fingerprint: fingerprint(finding, byPath.get(finding.path)), inline: true })),
    ...placed.slice(settings.maxComments).map((finding) => ({
      finding, fingerprint: fingerprint(finding, byPath.get(finding.path)), inline: false, reason: `over the ${settings.maxComments}-comment limit`,
    })),
    ...unplaced.map(({ finding, reason }) => ({ finding, fingerprint: fingerprint(finding, byPath.get(finding.path)), inline: false, reason })),
  ];
  const all = report.findings.map((f) => f.finding);
  const decision = decide(all, settings);
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
  if (settings.labels) calls += await syncSecurityLabel(octokit, pull, decision.label);

  // A review that did not fully run cannot vouch for the PR: it passes only as `onError` says.
  const incomplete = report.problems.length > 0;
  const conclusion = decision.conclusion === "failure" ? "failure" : incomplete ? settings.onError : decision.conclusion;
  const title = `${countLine(report.findings).replace(/^./, (c) => c.toUpperCase())}${incomplete ? " (review incomplete)" : ""}`;
  const annotations = report.findings.flatMap(({ finding }) => annotationOf(finding, byPath.get(finding.path)));
  return { conclusion, title, summary: renderCheckSummary(report), annotations, calls };
}
