/**
 * What a finished review puts on GitHub, as a plan (pure data): the review with
 * its inline comments, the label change, and the check run's conclusion, title,
 * summary and annotations. The GitHub adapter (src/github/publish-plan.ts) carries
 * it out; nothing here does I/O, so the same plan can be checked in a unit test.
 */
import type { ReviewSettings } from "../config/repo-config.js";
import type { FileDiff } from "../diff/types.js";
import type { Annotation, CheckConclusion, LabelLevel } from "../domain/conclusions.js";
import type { Finding, Side } from "../domain/findings.js";
import { identify } from "../domain/fingerprint.js";
import { newFileRange } from "../review/analyse-findings.js";
import { findingDataMarker } from "../review/finding-marker.js";
import { formatComment, location } from "../review/format.js";
import { incompleteSuffix } from "../review/incomplete-review.js";
import type { PullMarkerSigner } from "../review/marker-signer.js";
import { countLine, renderCheckSummary, renderReviewBody, type ReportedFinding, type ReviewReport } from "../review/summary.js";
import type { ReviewResult } from "./review-diff.js";

/** Why findings meant to be inline end up in the review body when GitHub refuses them. */
export const INLINE_REFUSED = "GitHub refused the inline comments (422)";

/** An inline comment on lines GitHub accepts. */
export interface PlannedComment {
  path: string;
  line: number;
  side: Side;
  startLine?: number | undefined;
  body: string;
}

/** How the check run completes. */
export interface CheckOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  annotations: Annotation[];
}

/** Everything a review posts. */
export interface PublicationPlan {
  /** One review with the new findings; undefined when nothing is new. */
  review?: {
    event: "COMMENT" | "REQUEST_CHANGES";
    body: string;
    /** The body to post instead when GitHub refuses the inline comments (422): they are listed in it. */
    fallbackBody: string;
    comments: PlannedComment[];
  } | undefined;
  /** The security label to carry; undefined when the repository turned labels off. */
  label?: { level: LabelLevel | undefined; onlyRaise: boolean } | undefined;
  check: CheckOutput;
  /** The check to complete instead when the review had to be posted without its inline comments. */
  checkIfInlineRefused?: CheckOutput | undefined;
}

/** What the plan needs beside the result: who signs the markers, the agent's name, and two settings. */
export interface PublicationContext {
  signer: PullMarkerSigner;
  agentName: string;
  settings: Pick<ReviewSettings, "labels" | "onIncomplete">;
}

const LEVEL: Record<Finding["severity"], Annotation["annotation_level"]> = {
  critical: "failure",
  high: "failure",
  medium: "warning",
  low: "notice",
  info: "notice",
};

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

/** The check run's output for a report. */
function checkOf(report: ReviewReport, conclusion: CheckConclusion, byPath: Map<string, FileDiff>, context: PublicationContext): CheckOutput {
  return {
    conclusion,
    title: `${countLine(report.findings).replace(/^./, (c) => c.toUpperCase())}${incompleteSuffix(report)}`,
    summary: renderCheckSummary(report, { onIncomplete: context.settings.onIncomplete, agentName: context.agentName }),
    annotations: report.findings.flatMap(({ finding }) => annotationOf(finding, byPath.get(finding.path))),
  };
}

/** Plans the publication of a finished review: post the new findings, sync the label, complete the check. */
export function planPublication(result: ReviewResult, context: PublicationContext): PublicationPlan {
  const { report, fresh } = result;
  const byPath = new Map(result.diffs.map((d) => [d.path, d]));
  const check = checkOf(report, result.conclusion, byPath, context);
  const label = context.settings.labels ? { level: result.decision.label, onlyRaise: result.partial } : undefined;
  if (fresh.length === 0) return { label, check };
  const freshReport = { ...report, findings: fresh };
  const comments = fresh.filter((f) => f.inline).map((f): PlannedComment => {
    const identity = f.identity ?? identify(f.finding, byPath.get(f.finding.path));
    return { path: f.finding.path, line: f.finding.line, side: f.finding.side, startLine: f.finding.startLine, body: formatComment(f.finding, f.fingerprint, findingDataMarker(f.finding, identity, context.signer)) };
  });
  const refused = comments.length > 0
    ? checkOf({ ...report, findings: report.findings.map((f): ReportedFinding => (f.inline && f.status !== "open" ? { ...f, inline: false, reason: INLINE_REFUSED } : f)) }, result.conclusion, byPath, context)
    : undefined;
  return {
    review: { event: result.decision.event, body: renderReviewBody(freshReport), fallbackBody: renderReviewBody(freshReport, INLINE_REFUSED), comments },
    label, check, checkIfInlineRefused: refused,
  };
}
