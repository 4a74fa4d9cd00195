/**
 * Step 8 of a review and the decision of step 9, without any I/O: raw findings in,
 * what a reviewer is told out. The App (publish-findings.ts) posts the result on
 * GitHub; the CLI prints it. Sharing it keeps a local run and the check run in
 * agreement on what is reported, where, and whether it fails.
 */
import type { ReviewSettings } from "../config/repo-config.js";
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import type { CheckConclusion } from "../github/check-run.js";
import type { Finding } from "../types.js";
import { decide, type Decision } from "./decide.js";
import { fingerprint } from "./fingerprint.js";
import { mergeFindings } from "./merge-findings.js";
import { placeFindings } from "./place-findings.js";
import type { ReportedFinding } from "./summary.js";

/** The settings the analysis reads. */
export type AnalysisSettings = Pick<ReviewSettings, "minConfidence" | "maxComments" | "failOn" | "reviewEvent" | "labels">;

/** The findings as they will be reported, and what they mean for the change. */
export interface FindingsAnalysis {
  /**
   * Inline findings (at most `maxComments`) first, then those only listed, each
   * with its fingerprint and, when not inline, the reason. Text is redacted.
   */
  findings: ReportedFinding[];
  decision: Decision;
}

/** Model text leaves the process (GitHub, a terminal, a SARIF upload): it passes the same redaction as the diff. */
const scrub = (f: Finding): Finding => ({
  ...f,
  title: redactText(f.title).text,
  body: redactText(f.body).text,
  suggestion: f.suggestion === undefined ? undefined : redactText(f.suggestion).text,
});

/**
 * Redacts, merges (one finding per problem, confidence floor), places each finding
 * on a line GitHub accepts or lists it with the reason, fingerprints, and decides.
 * `diffs` are the parsed diffs of the reviewed files (placement and fingerprints
 * only read line numbers and code, so redacted or not gives the same result).
 */
export function analyseFindings(findings: readonly Finding[], diffs: readonly FileDiff[], settings: AnalysisSettings): FindingsAnalysis {
  const merged = mergeFindings(findings.map(scrub), settings.minConfidence);
  const { placed, unplaced } = placeFindings(merged, diffs);
  const byPath = new Map(diffs.map((d) => [d.path, d]));
  const report = (finding: Finding, inline: boolean, reason?: string): ReportedFinding => ({
    finding,
    fingerprint: fingerprint(finding, byPath.get(finding.path)),
    inline,
    ...(inline ? {} : { reason }),
  });
  const reported = [
    ...placed.slice(0, settings.maxComments).map((finding) => report(finding, true)),
    ...placed.slice(settings.maxComments).map((finding) => report(finding, false, `over the ${settings.maxComments}-comment limit`)),
    ...unplaced.map(({ finding, reason }) => report(finding, false, reason)),
  ];
  return { findings: reported, decision: decide(reported.map((f) => f.finding), settings) };
}

/**
 * The conclusion of a review: a finding at `failOn` fails it; otherwise a review
 * that did not fully run cannot vouch for the change and passes only as `onError` says.
 */
export function conclude(decision: Decision, incomplete: boolean, onError: ReviewSettings["onError"]): CheckConclusion {
  if (decision.conclusion === "failure") return "failure";
  return incomplete ? onError : decision.conclusion;
}

/**
 * Where a finding sits in the NEW file, for reports that only know the new version
 * (check-run annotations, SARIF). A finding on deleted lines points at the start of
 * its hunk there; one in a deleted file has no line to point at (undefined).
 */
export function newFileRange(finding: Finding, file: FileDiff | undefined): { start: number; end: number } | undefined {
  if (finding.side === "RIGHT") return { start: finding.startLine ?? finding.line, end: finding.line };
  if (!file || file.status === "removed") return undefined;
  const hunk = file.hunks.find((h) => h.lines.some((l) => l.oldLine === finding.line && l.kind !== "add"));
  const start = Math.max(1, hunk?.newStart ?? 1);
  return { start, end: start };
}
