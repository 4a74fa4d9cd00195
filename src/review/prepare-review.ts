/**
 * Steps 6 and 7's bookkeeping, without I/O, for every way a review runs (the App's
 * run-review.ts, the CLI's local-review.ts): what the rules and the model see, and
 * how the model stage's outcome lands in the report.
 */
import { redactFileDiff } from "../diff/redact.js";
import { toFileDiff } from "../diff/parse-patch.js";
import type { FileDiff } from "../diff/types.js";
import { emptyUsage } from "../engine/review-engine.js";
import { runRules, type RuleOptions, type RulesConfig } from "../rules/index.js";
import type { Finding } from "../types.js";
import type { ModelStageResult } from "./review-chunks.js";
import type { FileSelection } from "./select-files.js";
import type { ReviewReport } from "./summary.js";

/** The files in `paths`, ready for the rules and the model. */
export interface PreparedDiffs {
  /** Every file in `paths`, skipped ones included, parsed as they are: rules, placement and fingerprints read these. */
  diffs: FileDiff[];
  /** The model's files with secrets replaced: the only version that may leave the process. */
  redacted: FileDiff[];
  /** The deterministic rules' findings on every file in `paths`, from the real (unredacted) diff, where secrets are visible. */
  ruleFindings: Finding[];
  /** The model's files with hunks to review. */
  reviewed: string[];
  /** Skipped on purpose, with the reason: the selection's globs (the rules still ran), then files with nothing to review. */
  skipped: Array<{ path: string; reason: string }>;
  /** The model's files whose change nobody could see (no patch: too large, binary): the review is incomplete. */
  unreviewed: Array<{ path: string; reason: string }>;
}

/** Parses the files in `paths`, runs the rules on all of them and redacts what the model will see. */
export function prepareDiffs(selection: Pick<FileSelection, "selected" | "skipped" | "skippedFiles">, rules: RulesConfig, ruleOptions: RuleOptions = {}): PreparedDiffs {
  const forModel = selection.selected.map(toFileDiff);
  const diffs = [...forModel, ...selection.skippedFiles.map(toFileDiff)];
  const empty = forModel.filter((d) => d.hunks.length === 0);
  return {
    diffs,
    redacted: forModel.map((d) => redactFileDiff(d).file),
    ruleFindings: runRules(diffs, rules, ruleOptions),
    reviewed: forModel.filter((d) => d.hunks.length > 0).map((d) => d.path),
    skipped: [...selection.skipped, ...empty.filter((d) => !d.unseen).map((d) => ({ path: d.path, reason: d.noHunksReason ?? "no diff" }))],
    unreviewed: empty.filter((d) => d.unseen).map((d) => ({ path: d.path, reason: `not reviewed: ${d.noHunksReason ?? "no patch"}` })),
  };
}

/** A report before the model stage: files and model known, nothing found or spent yet. */
export function newReport(prepared: Pick<PreparedDiffs, "reviewed" | "skipped" | "unreviewed">, model: string, agentSource: string): ReviewReport {
  return {
    findings: [], reviewed: prepared.reviewed, skipped: prepared.skipped, unreviewed: [...prepared.unreviewed], model, usage: emptyUsage(), modelCalls: 0, chunks: 0, costUsd: 0,
    agentSource, problems: [], notes: [],
  };
}

/**
 * Records the model stage in the report: usage and cost, the chunks that failed,
 * and the files it did not get to, which move from "reviewed" to "unreviewed".
 * Returns the model's findings.
 */
export function recordModelStage(report: ReviewReport, stage: ModelStageResult): Finding[] {
  Object.assign(report, { usage: stage.usage, modelCalls: stage.calls, chunks: stage.chunks, costUsd: stage.costUsd });
  report.problems.push(...stage.problems);
  const unreviewed = new Set(stage.unreviewed.map((u) => u.path));
  report.reviewed = report.reviewed.filter((path) => !unreviewed.has(path));
  const listed = new Set(report.unreviewed.map((u) => u.path));
  report.unreviewed.push(...stage.unreviewed.filter((u, i, all) => !listed.has(u.path) && all.findIndex((v) => v.path === u.path) === i));
  return stage.findings;
}
