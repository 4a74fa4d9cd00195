/**
 * The review of one pull-request head, start to finish:
 *
 *  1. Start the check run `in_progress` on the head commit (`<agent>` for a full
 *     review, `<agent> (security)` for the security pass; `external_id` names the PR).
 *  2. Read the PR as it is now; a closed PR or a head that moved on ends here.
 *  3. Load the settings (repo file, default branch) and the agent (bundled, or the
 *     repo's own from its default branch). A broken file ends the review with a table.
 *  4. Skip drafts unless `drafts: true`.
 *  5. List the PR's files and keep those in `paths`; none → "no backend changes".
 *  6. Read the history back from GitHub: the bot's earlier findings (its review
 *     comments' markers, resolved threads, `ignore` replies) and the last commit a
 *     review finished on. When that commit is an ancestor of the head, only
 *     `last...head` (compare API) goes to the model; otherwise (first review,
 *     force push, security pass) the whole diff does.
 *  7. Hand the files, settings, agent, model, history and budget to the review
 *     core (src/core/review-diff.ts): rules, redaction, the model chunk by chunk
 *     (an increment with the PR's diff as context), the open set, the decision.
 *     The cost budget is capped to what the daily spend ceilings (installation, PR
 *     author) have left; a newer head of the PR stops the model calls.
 *  8. Plan the publication (src/core/plan-publication.ts) and carry it out
 *     (src/github/publish-plan.ts): a head that moved on meanwhile ends as
 *     superseded without posting; otherwise one review with the new findings only,
 *     and the label.
 *  9. Complete the check run: new / still open / fixed, and annotations.
 *
 * Whatever fails, the check run completes and says why: a required check must
 * never hang. A review that left files in `paths` unreviewed, or could not run,
 * fails (`onIncomplete: failure`, the default) or is neutral as the repo chose.
 */
import type { Logger } from "pino";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { DEFAULT_SETTINGS, effectiveSettings, REPO_CONFIG_PATH, type ReviewSettings } from "../config/repo-config.js";
import { chooseModel } from "../core/choose-model.js";
import { budgetOf, capBudget } from "../core/budget.js";
import { planPublication, type CheckOutput } from "../core/plan-publication.js";
import { reviewDiff } from "../core/review-diff.js";
import type { ReviewEvent } from "../core/review-events.js";
import type { CheckConclusion } from "../domain/conclusions.js";
import { emptyUsage, type ModelClient, type TokenUsage } from "../engine/review-engine.js";
import type { ModelEnvKey } from "../engine/models.js";
import { messageOf, UserFacingError } from "../errors.js";
import type { AppIdentity } from "../github/app-identity.js";
import { checkRunName, completeCheckRun, startCheckRun } from "../github/check-run.js";
import { countRequests } from "../github/count-requests.js";
import type { Octokit } from "../github/octokit.js";
import { publishPlan } from "../github/publish-plan.js";
import { getPullRequest } from "../github/pull-request.js";
import { listPullRequestFiles } from "../github/pull-request-files.js";
import { readRepoSetup } from "../github/read-repo-setup.js";
import { laneKey, type ReviewJob } from "../jobs/queue.js";
import type { HeadRegistry } from "../spend/newer-head.js";
import type { SpendPolicy } from "../spend/spend-policy.js";
import { cell } from "./format.js";
import { finishHint } from "./incomplete-review.js";
import type { MarkerSigner } from "./marker-signer.js";
import { codeSpan, neutralise, neutraliseInline } from "./neutralise.js";
import { readReviewHistory } from "./read-history.js";
import { selectFiles } from "./select-files.js";
import { watchHead, type HeadWatch } from "./watch-head.js";
import { readRepoContext } from "./repo-context.js";
import type { ToolTotals } from "../engine/tool-loop.js";
import type { SnapshotOpener } from "../snapshot/snapshot-cache.js";

/** What a review needs besides the job. */
export interface ReviewDeps {
  octokit: Octokit;
  log: Logger;
  /** Undefined when ANTHROPIC_API_KEY is not set: the rules still run. */
  anthropic: ModelClient | undefined;
  agent: AgentDefinition;
  env: Pick<
    Env,
    | "DEFAULT_MODEL"
    | "MODEL_MAX_OUTPUT_TOKENS"
    | "CHUNK_INPUT_TOKENS"
    | "REVIEW_CONCURRENCY"
    | "MAX_REVIEW_INPUT_TOKENS"
    | "MAX_REVIEW_CHUNKS"
    | "MAX_REVIEW_SECONDS"
    | "MAX_REVIEW_COST_USD"
    | "HEAD_CHECK_INTERVAL_MS"
    | "TOOL_MAX_TURNS"
    | "TOOL_TOKEN_BUDGET"
    | ModelEnvKey
  >;
  /** Head-commit snapshots (one per process, under DATA_DIR): absent, the model gets no tools. */
  snapshots?: SnapshotOpener | undefined;
  /** This app's identity (`GET /app`, cached per process): only its own comments, markers and check runs are history. */
  appIdentity: () => Promise<AppIdentity>;
  /** Signs and verifies the hidden markers of the PR's findings and dismissals. */
  markers: MarkerSigner;
  /** Daily spend ceilings (installation, PR author); none when absent. */
  spend?: SpendPolicy | undefined;
  /** Where newer heads are announced: the review stops its model calls once its PR moved on. */
  heads?: HeadRegistry | undefined;
  /** Told the check run's id as soon as it exists (a notification: the job store records it for the watchdog). */
  onCheckRunStarted?(checkRunId: number): Promise<void> | void;
}

/** How a review ended, for logs and tests. */
export interface ReviewOutcome {
  conclusion: CheckConclusion;
  title: string;
  /** Requests sent to GitHub for this review, counted by a hook on the job's Octokit. */
  githubCalls: number;
  /** Model tokens and estimated cost spent (zero when the model did not run). */
  usage: TokenUsage;
  costUsd: number;
  /** What the model's tools did, when they were offered. */
  tools?: ToolTotals | undefined;
}

/** What one run of the steps leaves for the finish: the settings in force (for a failure's conclusion) and the spend. */
interface RunState {
  settings: ReviewSettings;
  spent: { usage: TokenUsage; costUsd: number; tools?: ToolTotals | undefined };
  watch?: HeadWatch | undefined;
}

const ended = (conclusion: CheckConclusion, title: string, summary: string): CheckOutput => ({ conclusion, title, summary, annotations: [] });
const superseded = (sha: string, when: "before" | "while") =>
  ended("neutral", `Superseded by ${sha.slice(0, 7)}`, when === "before"
    ? `The branch moved to ${sha} before this review ran; that commit gets its own review.`
    : `The branch moved to ${sha} while this review ran; nothing was posted, and that commit gets its own review.`);

/** The app's log of the core's events: failed requests with their status and request id, dropped findings. */
function logEvent(log: Logger) {
  return (event: ReviewEvent) => {
    if (event.type !== "chunk-done") return;
    if (event.outcome === "failed") log.warn({ part: event.part, parts: event.parts, status: event.status, requestId: event.requestId, reason: event.reason }, "model request failed");
    if (event.dropped?.length) log.warn({ part: event.part, dropped: event.dropped }, "malformed findings dropped from the model's answer");
  };
}

/** Steps 2 to 8: what the check run completes with. Throws only for what the caller reports as "could not run". */
async function reviewPull(job: ReviewJob, deps: ReviewDeps, state: RunState): Promise<CheckOutput> {
  const { octokit, log } = deps;
  const pull = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
  // 2.
  const pr = await getPullRequest(octokit, pull);
  if (pr.state !== "open") return ended("neutral", "Pull request closed", "The pull request was closed before the review ran.");
  if (pr.headSha !== job.headSha) return superseded(pr.headSha, "before");
  if (deps.heads) {
    state.watch = watchHead({
      heads: deps.heads, lane: laneKey(job) ?? "", headSha: job.headSha, intervalMs: deps.env.HEAD_CHECK_INTERVAL_MS, log,
      currentHead: async () => (await getPullRequest(octokit, pull)).headSha,
    });
  }
  const gate = deps.spend?.forReview(job.installationId, pr.author, log);

  // 3.
  const { config, agent } = await readRepoSetup(octokit, { ...pull, defaultBranch: pr.defaultBranch }, deps.agent);
  if ("problems" in config) {
    const rows = config.problems.map((p) => `| ${cell(codeSpan(p.key))} | ${cell(neutraliseInline(p.message))} |`);
    return ended(
      state.settings.onIncomplete,
      "Invalid configuration",
      `\`${REPO_CONFIG_PATH}\` on ${codeSpan(pr.defaultBranch)} is invalid, so the review did not run. Fix it and re-run this check.\n\n| Setting | Problem |\n|---|---|\n${rows.join("\n")}\n\n${finishHint(deps.agent.name)}`,
    );
  }
  const settings = (state.settings = effectiveSettings(agent.settings, config.config));

  // 4.
  if (pr.draft && !settings.drafts) return ended("success", "Draft skipped", "Draft pull requests are not reviewed (`drafts: false`). Mark it ready for review, or set `drafts: true`.");

  // 5.
  const files = await listPullRequestFiles(octokit, pull);
  const selection = selectFiles(files, settings);
  // GitHub lists at most 3,000 files: the rest cannot be reviewed, and the check says so.
  const unlisted = Math.max(0, pr.changedFiles - files.length);
  // Files GitHub did not list may be in `paths`: only a complete listing can say "nothing to review".
  if (selection.selected.length === 0 && selection.skippedFiles.length === 0 && unlisted === 0) {
    return ended("success", "No backend changes", `This pull request changes nothing in ${settings.paths.map(codeSpan).join(", ")}, so there is nothing to review.`);
  }

  // 6.
  const signer = deps.markers.forPull(pull);
  const trust = { app: await deps.appIdentity(), signer, prAuthor: pr.author, allowAuthorDismiss: settings.allowAuthorDismiss };
  const checkName = checkRunName(deps.agent.name, job.mode);
  const history = await readReviewHistory(octokit, { ...pull, headSha: job.headSha, checkName, incremental: job.mode === "review" && job.trigger !== "pull_request.opened" }, log, trust);
  log.info({ since: history.increment?.since, fullBecause: history.fullBecause, prior: history.prior.length }, history.increment ? "incremental review" : "full review");

  // 7.
  const context = deps.anthropic ? await readRepoContext(octokit, { ...pull, headSha: job.headSha, defaultBranch: pr.defaultBranch }, settings, deps.snapshots, log) : { notes: [] };
  const result = await reviewDiff(
    {
      selection, increment: history.increment, settings, agent, model: chooseModel(settings, agent, deps.env.DEFAULT_MODEL, deps.env), place: deps.env, mode: job.mode, title: pr.title,
      prior: history.prior, notes: [...history.notes, ...context.notes], dismissals: history.dismissals, unlisted,
      projectInstructions: context.projectInstructions, toolLimits: { maxTurns: deps.env.TOOL_MAX_TURNS, maxTokens: deps.env.TOOL_TOKEN_BUDGET },
      limits: { maxOutputTokens: deps.env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: deps.env.CHUNK_INPUT_TOKENS, concurrency: deps.env.REVIEW_CONCURRENCY },
      budget: gate ? capBudget(budgetOf(deps.env), await gate.costHeadroom()) : budgetOf(deps.env),
      // The operator's choice, which no PR author can cause: stated, not counted as incomplete.
      withoutModel: "Rules only: ANTHROPIC_API_KEY is not set on the server, so the model reviewed nothing and only the deterministic rules and the secret scan ran.",
    },
    { model: deps.anthropic, spend: gate, signal: state.watch?.signal, onEvent: logEvent(log), files: context.files },
  );
  const { stage } = result;
  if (stage) {
    state.spent = { usage: stage.usage, costUsd: stage.costUsd, tools: stage.tools };
    const counted = stage.usage.input + stage.usage.cacheRead + stage.usage.cacheWrite;
    const estimateRatio = counted > 0 ? Number((stage.estimatedInput / counted).toFixed(3)) : undefined;
    const confirmation = result.report.confirmation;
    const ruleCandidates = confirmation && { offered: confirmation.offered, confirmed: confirmation.confirmed, rejected: confirmation.rejected.length, malformed: confirmation.malformed };
    log.info({ chunks: stage.chunks, calls: stage.calls, usage: stage.usage, estimatedInputTokens: stage.estimatedInput, estimateRatio, costUsd: stage.costUsd, failedChunks: stage.problems.length, droppedFindings: stage.dropped.length, ruleCandidates, tools: stage.tools }, "model stage done");
  }
  const movedTo = state.watch?.movedTo();
  if (movedTo) return superseded(movedTo, "while");

  // 8.
  const published = await publishPlan(octokit, { ...pull, headSha: job.headSha }, planPublication(result, { signer, agentName: deps.agent.name, settings }));
  return published.posted ? published.check : superseded(published.supersededBy, "while");
}

/** Runs one review; never throws once the check run exists. */
export async function runReview(job: ReviewJob, deps: ReviewDeps): Promise<ReviewOutcome> {
  const { octokit, log } = deps;
  const githubCalls = countRequests(octokit);
  const repo = { owner: job.owner, repo: job.repo };
  const started = Date.now();
  const state: RunState = { settings: DEFAULT_SETTINGS, spent: { usage: emptyUsage(), costUsd: 0 } };

  // 1.
  const checkRunId = await startCheckRun(octokit, { ...repo, name: checkRunName(deps.agent.name, job.mode), headSha: job.headSha, title: "Reviewing…", pullNumber: job.pullNumber });
  await deps.onCheckRunStarted?.(checkRunId);
  const finish = async (output: CheckOutput): Promise<ReviewOutcome> => {
    await completeCheckRun(octokit, { ...repo, checkRunId, ...output });
    log.info({ conclusion: output.conclusion, title: output.title, githubCalls: githubCalls(), ms: Date.now() - started }, "review finished");
    return { conclusion: output.conclusion, title: output.title, githubCalls: githubCalls(), ...state.spent };
  };
  const failedToFinish = (error: unknown): ReviewOutcome => {
    log.error({ err: error }, "could not complete the check run");
    return { conclusion: "neutral", title: "check run not completed", githubCalls: githubCalls(), usage: emptyUsage(), costUsd: 0 };
  };

  try {
    // A check run that cannot be completed with the review's output (GitHub refused it) is completed with the failure below.
    return await finish(await reviewPull(job, deps, state));
  } catch (error) {
    log.error({ err: error }, "review failed");
    const reason = error instanceof UserFacingError ? `${neutralise(error.message)}${error.details ? `\n\n${error.details}` : ""}` : `An unexpected error stopped the review (${neutraliseInline(messageOf(error).slice(0, 200))}). The server log has the details.`;
    return await finish(ended(state.settings.onIncomplete, "Review could not run (review incomplete)", `${reason}\n\nThe review did not finish, so it vouches for no file of this pull request.\n\n${finishHint(deps.agent.name)}`)).catch(failedToFinish);
  } finally {
    state.watch?.stop();
  }
}
