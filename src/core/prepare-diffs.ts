/**
 * The review core's bookkeeping, without I/O: what the rules and the model see,
 * and which files the review covered once the model stage is done.
 */
import { redactFileDiff } from "../diff/redact.js";
import { toFileDiff } from "../diff/parse-patch.js";
import type { ChangedFile, FileDiff } from "../diff/types.js";
import { runRules, type RuleOptions, type RulesConfig } from "../rules/index.js";
import type { Finding } from "../domain/findings.js";
import type { ModelStageResult } from "./model-stage.js";
import type { FileSelection } from "../review/select-files.js";

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

/** The files as the model may see them: parsed, secrets replaced. The only version that may leave the process. */
export function modelView(files: readonly ChangedFile[]): FileDiff[] {
  return files.map((f) => redactFileDiff(toFileDiff(f)).file);
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

/** Which files the review covered once the model stage is done. */
export interface Coverage {
  reviewed: string[];
  unreviewed: Array<{ path: string; reason: string }>;
}

/**
 * The files the model stage did not get to move from `reviewed` to `unreviewed`
 * (each listed once, with its first reason). Without a stage, `reviewed` stands.
 */
export function coverageAfter(reviewed: readonly string[], unreviewed: PreparedDiffs["unreviewed"], stage: Pick<ModelStageResult, "unreviewed"> | undefined): Coverage {
  const missed = stage?.unreviewed ?? [];
  const gone = new Set(missed.map((u) => u.path));
  const listed = new Set(unreviewed.map((u) => u.path));
  return {
    reviewed: reviewed.filter((path) => !gone.has(path)),
    unreviewed: [...unreviewed, ...missed.filter((u, i, all) => !listed.has(u.path) && all.findIndex((v) => v.path === u.path) === i)],
  };
}
