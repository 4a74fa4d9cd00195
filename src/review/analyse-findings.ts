/**
 * The review core's step 3 without any I/O: raw findings in, what a reviewer is
 * told out (src/core/review-diff.ts). The App posts the result on GitHub, the CLI
 * prints it: both from the same analysis, so a local run and the check run agree
 * on what is reported, where, and whether it fails.
 */
import type { ReviewSettings } from "../config/repo-config.js";
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import type { Finding } from "../domain/findings.js";
import { decide, type Decision } from "../domain/decide.js";
import { identify } from "../domain/fingerprint.js";
import { mergeFindings } from "../domain/merge-findings.js";
import { placeFindings } from "../domain/place-findings.js";
import type { PriorFinding } from "./finding-marker.js";
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
  /** Found again, already posted and still open (with `prior` only): not reported again. */
  repeated: ReportedFinding[];
  /** Found again, but a person resolved or ignored it (with `prior` only): never raised again. */
  suppressed: ReportedFinding[];
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
 * With `prior` (what the bot posted on the PR before), a finding already posted is
 * set apart as `repeated`, or `suppressed` when its thread was resolved or ignored,
 * before the `maxComments` limit applies: the limit is spent on new findings only.
 */
export function analyseFindings(findings: readonly Finding[], diffs: readonly FileDiff[], settings: AnalysisSettings, prior: readonly PriorFinding[] = []): FindingsAnalysis {
  const merged = mergeFindings(findings.map(scrub), settings.minConfidence);
  const { placed, unplaced } = placeFindings(merged, diffs);
  const byPath = new Map(diffs.map((d) => [d.path, d]));
  const report = (finding: Finding, inline: boolean, reason?: string): ReportedFinding => {
    const identity = identify(finding, byPath.get(finding.path));
    return { finding, fingerprint: identity.fingerprint, identity, inline, ...(inline ? {} : { reason }) };
  };
  const stateOf = (r: ReportedFinding) => prior.find((p) => p.data.fp === r.fingerprint || p.data.key === r.identity?.problemKey)?.state;
  const repeated: ReportedFinding[] = [];
  const suppressed: ReportedFinding[] = [];
  const isNew = (r: ReportedFinding) => {
    const state = stateOf(r);
    if (state === "posted") repeated.push(r);
    else if (state !== undefined) suppressed.push(r);
    return state === undefined;
  };
  const fresh = placed.map((finding) => report(finding, true)).filter(isNew);
  const reported = [
    ...fresh.slice(0, settings.maxComments),
    ...fresh.slice(settings.maxComments).map((r) => ({ ...r, inline: false, reason: `over the ${settings.maxComments}-comment limit` })),
    ...unplaced.map(({ finding, reason }) => report(finding, false, reason)).filter(isNew),
  ];
  return { findings: reported, decision: decide(reported.map((f) => f.finding), settings), repeated, suppressed };
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
