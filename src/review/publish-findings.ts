import type { CheckConclusion } from "../domain/conclusions.js";
import type { ReviewSettings } from "../config/repo-config.js";
import type { FileDiff } from "../diff/types.js";
import type { Annotation } from "../github/check-run.js";
import { syncSecurityLabel } from "../github/labels.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { INLINE_REFUSED, publishReview } from "../github/publish-review.js";
import type { Finding } from "../domain/findings.js";
import { analyseFindings, conclude, newFileRange } from "./analyse-findings.js";
import { decide } from "../domain/decide.js";
import { findingDataMarker } from "./finding-marker.js";
import { identify } from "../domain/fingerprint.js";
import type { PullMarkerSigner } from "./marker-signer.js";
import { openSet } from "./open-set.js";
import type { PriorFinding } from "./prior-findings.js";
import { formatComment, location } from "./format.js";
import { incompleteSuffix, isIncomplete } from "./incomplete-review.js";
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
  /** Signs the findings' data markers for this PR. */
  signer: PullMarkerSigner;
  headSha: string;
  settings: ReviewSettings;
  diffs: FileDiff[];
  /** Filled in here with the findings; the rest was set by earlier steps. */
  report: ReviewReport;
  findings: Finding[];
  /** A security-only pass raises the label but never clears what a full review set. */
  partial?: boolean | undefined;
  /**
   * What the bot posted on the PR before (read back from GitHub). Given, only new
   * findings are posted, and the decision covers the PR's whole open set.
   */
  prior?: readonly PriorFinding[] | undefined;
  /** The commit an incremental review started from, for the summary. */
  since?: string | undefined;
  /** The agent's name: an incomplete review's summary offers `/<name> review` and `/<name> skip`. */
  agentName?: string | undefined;
  /** Called just before anything is posted: a review whose head moved on throws here; returns the PR's labels now. */
  beforePosting?: (() => Promise<string[]>) | undefined;
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
  const analysis = analyseFindings(input.findings, input.diffs, settings, input.prior ?? []);
  const byPath = new Map(input.diffs.map((d) => [d.path, d]));
  let fresh = analysis.findings;
  let open: ReportedFinding[] = fresh;
  if (input.prior) {
    const set = openSet(analysis.findings, analysis.repeated, input.prior, input.diffs);
    fresh = set.fresh;
    // The security pass vouches for security only: earlier findings of other kinds are not its to count.
    const carried = input.partial ? set.stillOpen.filter((f) => f.finding.category === "security" || f.finding.category === "tenancy") : set.stillOpen;
    open = [...set.fresh, ...carried];
    report.history = { fixed: set.fixed, suppressed: analysis.suppressed.length, since: input.since };
  }
  report.findings = open;
  const decision = input.prior ? decide(open.map((f) => f.finding), settings) : analysis.decision;
  let calls = 0;
  const labelsNow = await input.beforePosting?.();

  if (fresh.length > 0) {
    const freshReport = { ...report, findings: fresh };
    const outcome = await publishReview(octokit, {
      ...pull,
      commitId: input.headSha,
      event: decision.event,
      body: renderReviewBody(freshReport),
      fallbackBody: renderReviewBody(freshReport, INLINE_REFUSED),
      comments: fresh
        .filter((f) => f.inline)
        .map((f) => {
          const identity = f.identity ?? identify(f.finding, byPath.get(f.finding.path));
          return { path: f.finding.path, line: f.finding.line, side: f.finding.side, startLine: f.finding.startLine, body: formatComment(f.finding, f.fingerprint, findingDataMarker(f.finding, identity, input.signer)) };
        }),
    });
    calls += outcome.posted === "inline" ? 1 : 2;
    if (outcome.posted === "body-only") {
      report.findings = report.findings.map((f): ReportedFinding => (f.inline && f.status !== "open" ? { ...f, inline: false, reason: outcome.reason } : f));
    }
  }
  if (settings.labels) calls += await syncSecurityLabel(octokit, pull, decision.label, { onlyRaise: input.partial, current: labelsNow });

  const conclusion = conclude(decision, isIncomplete(report), settings.onIncomplete);
  const title = `${countLine(report.findings).replace(/^./, (c) => c.toUpperCase())}${incompleteSuffix(report)}`;
  const annotations = report.findings.flatMap(({ finding }) => annotationOf(finding, byPath.get(finding.path)));
  return { conclusion, title, summary: renderCheckSummary(report, { onIncomplete: settings.onIncomplete, agentName: input.agentName }), annotations, calls };
}
