/**
 * A review of a local diff with the App's pipeline, minus GitHub:
 *
 *  1. Find the repository and the range: `--head` (or the working tree) against its
 *     merge-base with `--base` (default branch by default), as a pull request would be.
 *  2. Load the settings and the agent from the base commit (or `--agent`).
 *  3. List the changed files as GitHub would and keep those in `paths`.
 *  4. Parse; run the deterministic rules on the real diff of every file in `paths`
 *     (skip globs included); redact what the model sees.
 *  5.-6. Hand it to the review core (src/core/review-diff.ts), the App's own: the
 *     model (unless there is no key or `--rules-only`), then merge, place,
 *     fingerprint and decide. Its events are the progress lines on stderr.
 */
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { effectiveSettings, type ReviewSettings } from "../config/repo-config.js";
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import { createModelClient, loadProviderSdk } from "../engine/anthropic-client.js";
import { chooseModel } from "../core/choose-model.js";
import { budgetOf } from "../core/budget.js";
import { prepareDiffs, type PreparedDiffs } from "../core/prepare-diffs.js";
import { reviewDiff } from "../core/review-diff.js";
import type { ReviewEvent } from "../core/review-events.js";
import type { CheckConclusion } from "../domain/conclusions.js";
import type { FindingsAnalysis } from "../review/analyse-findings.js";
import { selectFiles, type FileSelection } from "../review/select-files.js";
import type { ReviewReport } from "../review/summary.js";
import { changedFiles } from "./git-changes.js";
import { ruleSources } from "./rule-sources.js";
import { defaultBranch, mergeBase, repoRoot, resolveCommit, showFile, subjectOf } from "./git.js";
import { loadProjectInstructions } from "../agents/project-instructions.js";
import { messageOf } from "../errors.js";
import { workingTreeSnapshot } from "../snapshot/working-tree.js";
import { loadRepoConfig, loadReviewAgent } from "./load-inputs.js";
import { modelFailureLine } from "./model-failure.js";

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
  analysis: Pick<FindingsAnalysis, "findings" | "decision">;
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
  const model = chooseModel(settings, agent, env.DEFAULT_MODEL, env);

  // 3.
  const files = await changedFiles(root, { base, head: options.head === undefined ? undefined : headCommit }, [...settings.paths, ...steering(agent.name)]);
  for (const path of steering(agent.name)) {
    if (files.some((f) => f.path === path)) say(`${path} is changed by this diff; the review uses its version at ${base.slice(0, 7)}, as the App would.`);
  }
  const selection = selectFiles(files, settings);

  // 4.
  const sources = await ruleSources(root, { base, head: options.head === undefined ? undefined : headCommit }, files, settings.paths);
  return { root, headCommit, range, settings, agent, model, selection, prepared: prepareDiffs(selection, settings.rules, { testPaths: settings.testPaths, sources }) };
}

/** The title the model sees: the commit's subject, redacted. */
export async function reviewTitle(root: string, head: string | undefined, headCommit: string): Promise<string> {
  return redactText(head ? await subjectOf(root, headCommit) : "Local changes (working tree)").text;
}

/** Runs the review. Throws {@link UserFacingError} for what the user can fix (repo, refs, config, agent). */
export async function runLocalReview(options: LocalReviewOptions): Promise<LocalReview> {
  const { env, say } = options;
  const { root, headCommit, range, settings, agent, model, selection, prepared } = await prepareLocalReview(options);
  const { reviewed } = prepared;
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    say(line);
  };
  if (selection.selected.length === 0 && selection.skippedFiles.length === 0) note(`No backend changes: nothing in this diff matches \`${settings.paths.join("`, `")}\`.`);

  // 5.-6.
  if (!options.rulesOnly && reviewed.length > 0) await loadProviderSdk(env.MODEL_PROVIDER);
  const client = options.rulesOnly || reviewed.length === 0 ? undefined : createModelClient(env);
  const withoutModel = reviewed.length === 0 ? undefined : options.rulesOnly ? "Rules only (--rules-only): the model was not asked." : "ANTHROPIC_API_KEY is not set: only the deterministic rules ran.";
  if (!client && withoutModel) say(withoutModel);
  const context = client ? await localContext(root, headCommit, range, settings, note) : undefined;
  const result = await reviewDiff(
    {
      selection, prepared, settings, agent, model, place: env, mode: "review", title: await reviewTitle(root, options.head, headCommit), notes, withoutModel,
      limits: { maxOutputTokens: env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: env.CHUNK_INPUT_TOKENS, concurrency: env.REVIEW_CONCURRENCY }, budget: budgetOf(env),
      projectInstructions: context?.projectInstructions, toolLimits: { maxTurns: env.TOOL_MAX_TURNS, maxTokens: env.TOOL_TOKEN_BUDGET },
    },
    { model: client, onEvent: progress(say), files: context?.files },
  );
  const { stage, rulesReviewed } = result;
  const failed = new Set(stage?.unreviewed.filter((u) => u.reason === "not reviewed: the model request failed").map((u) => u.path)).size;
  const modelFailure = stage && modelFailureLine(stage.failures, { failed, modelReviewed: result.report.reviewed.length, rulesReviewed: rulesReviewed.length });
  if (modelFailure) say(modelFailure);
  const report = modelFailure ? { ...result.report, notes: [...result.report.notes, modelFailure] } : result.report;
  const analysis = { findings: result.report.findings, decision: result.decision };
  return { report, analysis, conclusion: result.conclusion, settings, agent, range, modelRan: client !== undefined, modelFailure, diffs: result.redacted, inPaths: result.diffs.length, rulesReviewed };
}

/**
 * What the model may read besides the diff: the working tree (its files as git lists
 * them, confined and redacted), and the project's instruction files at the base
 * commit, which steer the review as the default branch's do in the App.
 */
async function localContext(root: string, headCommit: string, range: LocalReview["range"], settings: ReviewSettings, note: (line: string) => void) {
  const files = settings.tools
    ? await workingTreeSnapshot(root).catch((error: unknown) => {
        note(`The model reviewed without its repository tools: the working tree could not be listed (${messageOf(error).slice(0, 160)}).`);
        return undefined;
      })
    : undefined;
  if (files && range.head !== "working tree" && headCommit !== (await resolveCommit(root, "HEAD"))) note(`The model's tools read the working tree, which is not ${range.head}: what they show may differ from the reviewed commit.`);
  const projectInstructions = await loadProjectInstructions((path) => showFile(root, range.base, path));
  return { files, projectInstructions };
}

/** The user's view of the core's events (stderr): the stage's size, then each settled chunk. */
function progress(say: (line: string) => void) {
  return (event: ReviewEvent) => {
    if (event.type === "model-stage-started") say(`reviewing ${event.files} file${event.files === 1 ? "" : "s"} with ${event.model} in ${event.chunks} chunk${event.chunks === 1 ? "" : "s"}…`);
    if (event.type === "chunk-done") say(`chunks ${event.done}/${event.parts} done`);
  };
}
