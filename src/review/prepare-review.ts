/**
 * Steps 6 and 7's bookkeeping, without I/O, for every way a review runs (the App's
 * run-review.ts, the CLI's local-review.ts): what the rules and the model see, and
 * how the model stage's outcome lands in the report.
 */
import { redactFileDiff } from "../diff/redact.js";
import { toFileDiff } from "../diff/parse-patch.js";
import type { FileDiff } from "../diff/types.js";
import { emptyUsage } from "../engine/review-engine.js";
import { runRules, type RulesConfig } from "../rules/index.js";
import type { Finding } from "../types.js";
import type { ModelStageResult } from "./review-chunks.js";
import type { FileSelection } from "./select-files.js";
import type { ReviewReport } from "./summary.js";

/** The selected files, ready for the rules and the model. */
export interface PreparedDiffs {
  /** Parsed as they are: rules, placement and fingerprints read these. */
  diffs: FileDiff[];
  /** The same with secrets replaced: the only version that may leave the process. */
  redacted: FileDiff[];
  /** The deterministic rules' findings, from the real (unredacted) diff, where secrets are visible. */
  ruleFindings: Finding[];
  /** Files with hunks to review. */
  reviewed: string[];
  /** Files not reviewed, with the reason: the selection's, then those without a text diff. */
  skipped: Array<{ path: string; reason: string }>;
}

/** Parses the selected files, runs the rules on them and redacts what the model will see. */
export function prepareDiffs(selection: Pick<FileSelection, "selected" | "skipped">, rules: RulesConfig): PreparedDiffs {
  const diffs = selection.selected.map(toFileDiff);
  return {
    diffs,
    redacted: diffs.map((d) => redactFileDiff(d).file),
    ruleFindings: runRules(diffs, rules),
    reviewed: diffs.filter((d) => d.hunks.length > 0).map((d) => d.path),
    skipped: [...selection.skipped, ...diffs.filter((d) => d.hunks.length === 0).map((d) => ({ path: d.path, reason: d.noHunksReason ?? "no diff" }))],
  };
}

/** A report before the model stage: files and model known, nothing found or spent yet. */
export function newReport(prepared: Pick<PreparedDiffs, "reviewed" | "skipped">, model: string, agentSource: string): ReviewReport {
  return {
    findings: [], reviewed: prepared.reviewed, skipped: prepared.skipped, model, usage: emptyUsage(), modelCalls: 0, chunks: 0, costUsd: 0,
    agentSource, problems: [], notes: [],
  };
}

/**
 * Records the model stage in the report: usage and cost, the chunks that failed,
 * and the files it did not get to, which move from "reviewed" to "skipped".
 * Returns the model's findings.
 */
export function recordModelStage(report: ReviewReport, stage: ModelStageResult): Finding[] {
  Object.assign(report, { usage: stage.usage, modelCalls: stage.calls, chunks: stage.chunks, costUsd: stage.costUsd });
  report.problems.push(...stage.problems);
  const unreviewed = new Set(stage.unreviewed.map((u) => u.path));
  report.reviewed = report.reviewed.filter((path) => !unreviewed.has(path));
  report.skipped.push(...stage.unreviewed.filter((u, i, all) => all.findIndex((v) => v.path === u.path) === i));
  return stage.findings;
}
