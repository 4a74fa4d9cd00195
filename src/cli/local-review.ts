/**
 * A review of a local diff with the App's pipeline, minus GitHub:
 *
 *  1. Find the repository and the range: `--head` (or the working tree) against its
 *     merge-base with `--base` (default branch by default), as a pull request would be.
 *  2. Load the settings and the agent from the base commit (or `--agent`).
 *  3. List the changed files as GitHub would and keep those in `paths`.
 *  4. Parse; run the deterministic rules on the real diff of every file in `paths`
 *     (skip globs included); redact what the model sees.
 *  5. Review the redacted diff with the model, unless there is no key or `--rules-only`.
 *  6. Merge, place, fingerprint and decide, exactly as the App does.
 */
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { effectiveSettings, type ReviewSettings } from "../config/repo-config.js";
import { chunkFiles } from "../diff/chunk.js";
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import { createAnthropicClient } from "../engine/anthropic-client.js";
import { resolveModel } from "../engine/models.js";
import type { CheckConclusion } from "../github/check-run.js";
import { analyseFindings, conclude, type FindingsAnalysis } from "../review/analyse-findings.js";
import { isIncomplete } from "../review/incomplete-review.js";
import { newReport, prepareDiffs, recordModelStage, type PreparedDiffs } from "../review/prepare-review.js";
import { budgetOf, reviewWithModel } from "../review/review-chunks.js";
import { selectFiles, type FileSelection } from "../review/select-files.js";
import type { ReviewReport } from "../review/summary.js";
import type { Finding } from "../types.js";
import { changedFiles } from "./git-changes.js";
import { defaultBranch, mergeBase, repoRoot, resolveCommit, subjectOf } from "./git.js";
import { loadRepoConfig, loadReviewAgent } from "./load-inputs.js";
import { modelFailureLine } from "./model-failure.js";
import { reportChunkProgress } from "./model-progress.js";

/** What the user asked for. */
export interface LocalReviewOptions {
  cwd: string;
  base?: string | undefined;
  /** A commit to review; undefined reviews the working tree, untracked files included. */
  head?: string | undefined;
  agentFile?: string | undefined;
  rulesOnly: boolean;
  /** Overrides the configured `failOn`. */
  failOn?: ReviewSettings["failOn"] | undefined;
  env: Env;
  /** One line of progress or explanation for the user (stderr). */
  say: (line: string) => void;
}

/** A finished local review. */
export interface LocalReview {
  report: ReviewReport;
  analysis: FindingsAnalysis;
  conclusion: CheckConclusion;
  settings: ReviewSettings;
  agent: AgentDefinition;
  /** Whether the model reviewed the diff (false: the rules alone ran). */
  modelRan: boolean;
  /** Set when a model request failed: that it failed, why, and what the rules alone covered (one line). */
  modelFailure?: string | undefined;
  /** Changed files in `paths`, skipped ones included (0: nothing to review). */
  inPaths: number;
  /** The files whose diff the deterministic rules read: every file in `paths` with a text diff. */
  rulesReviewed: string[];
  /** The reviewed files' diffs, redacted: safe to print. */
  diffs: FileDiff[];
  /** Labels of the range: the ref given and the commit used. */
  range: { baseRef: string; base: string; head: string };
}

/** Files that steer the review: a diff changing them is reviewed under the base version. */
const steering = (agentName: string) => [".github/backend-agent.yml", `.claude/agents/${agentName}.md`];

/** A local review up to the model stage: range, settings, agent, files, the rules' findings. */
export interface PreparedLocalReview {
  root: string;
  headCommit: string;
  range: LocalReview["range"];
  settings: ReviewSettings;
  agent: AgentDefinition;
  /** The model id the review would use. */
  model: string;
  selection: FileSelection;
  prepared: PreparedDiffs;
}

/** Steps 1 to 4 (no model, no key needed). Throws {@link UserFacingError} for what the user can fix (repo, refs, config, agent). */
export async function prepareLocalReview(options: Omit<LocalReviewOptions, "rulesOnly">): Promise<PreparedLocalReview> {
  const { env, say } = options;
  // 1.
  const root = await repoRoot(options.cwd);
  const headCommit = await resolveCommit(root, options.head ?? "HEAD");
  const baseRef = options.base ?? (await defaultBranch(root));
  const base = await mergeBase(root, await resolveCommit(root, baseRef), headCommit);
  const range = { baseRef, base, head: options.head ?? "working tree" };

  // 2.
  const [config, agent] = await Promise.all([loadRepoConfig(root, base, say), loadReviewAgent(root, base, options.agentFile)]);
  // The shipped agent is known to need the lenient reading; a user's own file may want fixing.
  if (agent.warning && agent.source !== "bundled") say(`agent ${agent.source}: ${agent.warning}`);
  const settings = effectiveSettings(agent.settings, config, options.failOn ? { failOn: options.failOn } : {});
  const model = resolveModel(settings.model ?? (agent.model === "inherit" ? env.DEFAULT_MODEL : agent.model), env.DEFAULT_MODEL);

  // 3.
  const files = await changedFiles(root, { base, head: options.head === undefined ? undefined : headCommit }, [...settings.paths, ...steering(agent.name)]);
  for (const path of steering(agent.name)) {
    if (files.some((f) => f.path === path)) say(`${path} is changed by this diff; the review uses its version at ${base.slice(0, 7)}, as the App would.`);
  }
  const selection = selectFiles(files, settings);

  // 4.
  return { root, headCommit, range, settings, agent, model, selection, prepared: prepareDiffs(selection, settings.rules, { testPaths: settings.testPaths }) };
}

/** The title the model sees: the commit's subject, redacted. */
export async function reviewTitle(root: string, head: string | undefined, headCommit: string): Promise<string> {
  return redactText(head ? await subjectOf(root, headCommit) : "Local changes (working tree)").text;
}

/** Runs the review. Throws {@link UserFacingError} for what the user can fix (repo, refs, config, agent). */
export async function runLocalReview(options: LocalReviewOptions): Promise<LocalReview> {
  const { env, say } = options;
  const { root, headCommit, range, settings, agent, model, selection, prepared } = await prepareLocalReview(options);
  const { diffs, redacted, ruleFindings, reviewed, skipped, unreviewed } = prepared;
  const report = newReport({ reviewed, skipped, unreviewed }, model, agent.source);
  const note = (line: string) => {
    report.notes.push(line);
    say(line);
  };
  if (selection.selected.length === 0 && selection.skippedFiles.length === 0) note(`No backend changes: nothing in this diff matches \`${settings.paths.join("`, `")}\`.`);
  // What the rules read: every file in `paths` with a diff to read, skipped ones included.
  const rulesReviewed = diffs.filter((d) => d.hunks.length > 0).map((d) => d.path);

  // 5.
  let modelFindings: Finding[] = [];
  let modelFailure: string | undefined;
  const client = options.rulesOnly || reviewed.length === 0 ? undefined : createAnthropicClient(env);
  if (reviewed.length > 0 && options.rulesOnly) note("Rules only (--rules-only): the model was not asked.");
  else if (reviewed.length > 0 && !client) note("ANTHROPIC_API_KEY is not set: only the deterministic rules ran.");
  else if (client) {
    const total = chunkFiles(redacted, env.CHUNK_INPUT_TOKENS).length;
    say(`reviewing ${reviewed.length} file${reviewed.length === 1 ? "" : "s"} with ${model} in ${total} chunk${total === 1 ? "" : "s"}…`);
    reportChunkProgress(client, total, (done, all) => say(`chunks ${done}/${all} done`));
    const stage = await reviewWithModel({
      client, agent, model, mode: "review", title: await reviewTitle(root, options.head, headCommit),
      maxOutputTokens: env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: env.CHUNK_INPUT_TOKENS,
      concurrency: env.REVIEW_CONCURRENCY, minConfidence: settings.minConfidence, files: redacted,
      budget: budgetOf(env),
    });
    modelFindings = recordModelStage(report, stage);
    const failed = new Set(stage.unreviewed.filter((u) => u.reason === "not reviewed: the model request failed").map((u) => u.path)).size;
    modelFailure = modelFailureLine(stage.failures, { failed, modelReviewed: report.reviewed.length, rulesReviewed: rulesReviewed.length });
    if (modelFailure) note(modelFailure);
  }

  // 6.
  const analysis = analyseFindings([...ruleFindings, ...modelFindings], diffs, settings);
  report.findings = analysis.findings;
  const conclusion = conclude(analysis.decision, isIncomplete(report), settings.onIncomplete);
  return { report, analysis, conclusion, settings, agent, range, modelRan: client !== undefined, modelFailure, diffs: redacted, inPaths: diffs.length, rulesReviewed };
}
