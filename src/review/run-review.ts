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
 *  7. Parse the patches; run the deterministic rules on the whole PR diff; redact
 *     secrets from what the model will see.
 *  8. Review the redacted diff (or increment) with the model, chunk by chunk; an
 *     increment travels with the whole PR's diff of its files as context where the
 *     chunk budget allows, and only findings on the increment's lines count. The
 *     cost budget is capped to what the daily spend ceilings (installation, PR
 *     author) have left; a newer head of the PR stops the model calls.
 *  9. Merge, place, fingerprint; set apart findings already posted, resolved or
 *     ignored; the open set = new + earlier ones whose code is still in the diff.
 * 10. If the head moved on meanwhile, end as superseded without posting. Otherwise
 *     decide conclusion and label from the open set; post one review with the new
 *     findings only; sync the label.
 * 11. Complete the check run: new / still open / fixed, and annotations.
 *
 * Whatever fails, the check run completes and says why: a required check must
 * never hang. A review that left files in `paths` unreviewed, or could not run,
 * fails (`onIncomplete: failure`, the default) or is neutral as the repo chose.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "pino";
import { resolveAgent, type AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { DEFAULT_SETTINGS, effectiveSettings, REPO_CONFIG_PATH, type ReviewSettings } from "../config/repo-config.js";
import { redactText } from "../diff/redact.js";
import { emptyUsage, type TokenUsage } from "../engine/review-engine.js";
import { resolveModel } from "../engine/models.js";
import { messageOf, UserFacingError } from "../errors.js";
import { checkRunName, completeCheckRun, startCheckRun, type CheckConclusion } from "../github/check-run.js";
import type { AppIdentity } from "../github/app-identity.js";
import type { Octokit } from "../github/octokit.js";
import { getPullRequest } from "../github/pull-request.js";
import { listPullRequestFiles } from "../github/pull-request-files.js";
import { readRepoConfig } from "../github/read-repo-config.js";
import { readRepoFile } from "../github/repo-files.js";
import { toFileDiff } from "../diff/parse-patch.js";
import { redactFileDiff } from "../diff/redact.js";
import { laneKey, type ReviewJob } from "../jobs/queue.js";
import type { Finding } from "../types.js";
import { cell } from "./format.js";
import { finishHint } from "./incomplete-review.js";
import type { MarkerSigner } from "./marker-signer.js";
import { codeSpan, neutralise, neutraliseInline } from "./neutralise.js";
import { publishFindings } from "./publish-findings.js";
import { newReport, prepareDiffs, recordModelStage } from "./prepare-review.js";
import { readReviewHistory } from "./read-history.js";
import { budgetOf, capBudget, reviewWithModel } from "./review-chunks.js";
import { selectFiles } from "./select-files.js";
import { watchHead, type HeadWatch } from "./watch-head.js";
import type { HeadRegistry } from "../spend/newer-head.js";
import type { SpendPolicy } from "../spend/spend-policy.js";

/** What a review needs besides the job. */
export interface ReviewDeps {
  octokit: Octokit;
  log: Logger;
  /** Undefined when ANTHROPIC_API_KEY is not set: the rules still run. */
  anthropic: Anthropic | undefined;
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
  >;
  /** This app's identity (`GET /app`, cached per process): only its own comments, markers and check runs are history. */
  appIdentity: () => Promise<AppIdentity>;
  /** Signs and verifies the hidden markers of the PR's findings and dismissals. */
  markers: MarkerSigner;
  /** Daily spend ceilings (installation, PR author); none when absent. */
  spend?: SpendPolicy | undefined;
  /** Where newer heads are announced: the review stops its model calls once its PR moved on. */
  heads?: HeadRegistry | undefined;
  /** Told the check run's id as soon as it exists, so the job store can have the watchdog complete it if this review never does. */
  onCheckRunStarted?(checkRunId: number): Promise<void> | void;
}

/** How a review ended, for logs and tests. */
export interface ReviewOutcome {
  conclusion: CheckConclusion;
  title: string;
  githubCalls: number;
  /** Model tokens and estimated cost spent (zero when the model did not run). */
  usage: TokenUsage;
  costUsd: number;
}

/** A finished step that ends the review early with a conclusion and an explanation. */
class Finish extends Error {
  constructor(
    readonly conclusion: CheckConclusion,
    readonly title: string,
    readonly summary: string,
  ) {
    super(title);
  }
}

/** Runs one review; never throws once the check run exists. */
export async function runReview(job: ReviewJob, deps: ReviewDeps): Promise<ReviewOutcome> {
  const { octokit, log } = deps;
  const repo = { owner: job.owner, repo: job.repo };
  const pull = { ...repo, pullNumber: job.pullNumber };
  const started = Date.now();
  let calls = 0;
  let settings: ReviewSettings = DEFAULT_SETTINGS;
  const spent = { usage: emptyUsage(), costUsd: 0 };

  // 1.
  const checkRunId = await startCheckRun(octokit, { ...repo, name: checkRunName(deps.agent.name, job.mode), headSha: job.headSha, title: "Reviewing…", pullNumber: job.pullNumber });
  calls++;
  await deps.onCheckRunStarted?.(checkRunId);
  const finish = async (conclusion: CheckConclusion, title: string, summary: string, annotations?: Parameters<typeof completeCheckRun>[1]["annotations"]) => {
    calls += await completeCheckRun(octokit, { ...repo, checkRunId, conclusion, title, summary, annotations });
    log.info({ conclusion, title, githubCalls: calls, ms: Date.now() - started }, "review finished");
    return { conclusion, title, githubCalls: calls, ...spent };
  };

  let watch: HeadWatch | undefined;
  try {
    // 2.
    const pr = await getPullRequest(octokit, pull);
    calls++;
    if (pr.state !== "open") throw new Finish("neutral", "Pull request closed", "The pull request was closed before the review ran.");
    if (pr.headSha !== job.headSha) {
      throw new Finish("neutral", `Superseded by ${pr.headSha.slice(0, 7)}`, `The branch moved to ${pr.headSha} before this review ran; that commit gets its own review.`);
    }

    if (deps.heads) {
      watch = watchHead({
        heads: deps.heads, lane: laneKey(job) ?? "", headSha: job.headSha, intervalMs: deps.env.HEAD_CHECK_INTERVAL_MS, log,
        currentHead: async () => ((calls++, await getPullRequest(octokit, pull)).headSha),
      });
    }
    const gate = deps.spend?.forReview(job.installationId, pr.author, log);

    // 3.
    const [configResult, agent] = await Promise.all([
      readRepoConfig(octokit, repo),
      resolveAgent(
        deps.agent,
        (path) => readRepoFile(octokit, { ...repo, path, ref: pr.defaultBranch }),
        (path) => `${job.owner}/${job.repo}@${pr.defaultBranch}:${path}`,
      ),
    ]);
    calls += 2;
    if ("problems" in configResult) {
      const rows = configResult.problems.map((p) => `| ${cell(codeSpan(p.key))} | ${cell(neutraliseInline(p.message))} |`);
      throw new Finish(
        settings.onIncomplete,
        "Invalid configuration",
        `\`${REPO_CONFIG_PATH}\` on ${codeSpan(pr.defaultBranch)} is invalid, so the review did not run. Fix it and re-run this check.\n\n| Setting | Problem |\n|---|---|\n${rows.join("\n")}\n\n${finishHint(deps.agent.name)}`,
      );
    }
    settings = effectiveSettings(agent.settings, configResult.config);
    const model = resolveModel(settings.model ?? (agent.model === "inherit" ? deps.env.DEFAULT_MODEL : agent.model), deps.env.DEFAULT_MODEL);

    // 4.
    if (pr.draft && !settings.drafts) {
      throw new Finish("success", "Draft skipped", "Draft pull requests are not reviewed (`drafts: false`). Mark it ready for review, or set `drafts: true`.");
    }

    // 5.
    const files = await listPullRequestFiles(octokit, pull);
    calls += Math.max(1, Math.ceil(files.length / 100));
    const selection = selectFiles(files, settings);
    // GitHub lists at most 3,000 files: the rest cannot be reviewed, and the check says so.
    const unlisted = Math.max(0, pr.changedFiles - files.length);
    // Files GitHub did not list may be in `paths`: only a complete listing can say "nothing to review".
    if (selection.selected.length === 0 && selection.skippedFiles.length === 0 && unlisted === 0) {
      throw new Finish("success", "No backend changes", `This pull request changes nothing in ${settings.paths.map(codeSpan).join(", ")}, so there is nothing to review.`);
    }

    // 6.
    const checkName = checkRunName(deps.agent.name, job.mode);
    const signer = deps.markers.forPull(pull);
    const trust = { app: await deps.appIdentity(), signer, prAuthor: pr.author, allowAuthorDismiss: settings.allowAuthorDismiss };
    const history = await readReviewHistory(octokit, { ...pull, headSha: job.headSha, checkName, incremental: job.mode === "review" && job.trigger !== "pull_request.opened" }, log, trust);
    calls += history.calls;
    log.info({ since: history.increment?.since, fullBecause: history.fullBecause, prior: history.prior.length }, history.increment ? "incremental review" : "full review");

    // 7.
    const prepared = prepareDiffs(selection, settings.rules, { testPaths: settings.testPaths });
    const increment = history.increment ? selectFiles(history.increment.files, settings).selected.map((f) => redactFileDiff(toFileDiff(f)).file) : undefined;
    const forModel = increment ?? prepared.redacted;

    // 8.
    const report = newReport(prepared, model, agent.source);
    if (increment) report.reviewed = increment.filter((d) => d.hunks.length > 0).map((d) => d.path);
    report.notes.push(...history.notes);
    report.dismissals = history.dismissals;
    report.unlisted = unlisted;
    let modelFindings: Finding[] = [];
    if (!deps.anthropic) {
      // The operator's choice, which no PR author can cause: stated, not counted as incomplete.
      report.notes.push("Rules only: ANTHROPIC_API_KEY is not set on the server, so the model reviewed nothing and only the deterministic rules and the secret scan ran.");
    } else if (forModel.some((d) => d.hunks.length > 0)) {
      const stage = await reviewWithModel({
        client: deps.anthropic, agent, model, mode: job.mode, title: redactText(pr.title).text,
        maxOutputTokens: deps.env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: deps.env.CHUNK_INPUT_TOKENS,
        concurrency: deps.env.REVIEW_CONCURRENCY, minConfidence: settings.minConfidence, files: forModel,
        context: increment ? prepared.redacted : undefined,
        budget: gate ? capBudget(budgetOf(deps.env), await gate.costHeadroom()) : budgetOf(deps.env),
        spend: gate, signal: watch?.signal,
      });
      modelFindings = recordModelStage(report, stage);
      Object.assign(spent, { usage: stage.usage, costUsd: stage.costUsd });
      const counted = stage.usage.input + stage.usage.cacheRead + stage.usage.cacheWrite;
      const estimateRatio = counted > 0 ? Number((stage.estimatedInput / counted).toFixed(3)) : undefined;
      log.info({ chunks: stage.chunks, calls: stage.calls, usage: stage.usage, estimatedInputTokens: stage.estimatedInput, estimateRatio, costUsd: stage.costUsd, failedChunks: stage.problems.length }, "model stage done");
    }

    const movedTo = watch?.movedTo();
    if (movedTo) throw new Finish("neutral", `Superseded by ${movedTo.slice(0, 7)}`, `The branch moved to ${movedTo} while this review ran; nothing was posted, and that commit gets its own review.`);

    // 9.-10.
    const beforePosting = async () => {
      const now = await getPullRequest(octokit, pull);
      calls++;
      if (now.headSha !== job.headSha) {
        throw new Finish("neutral", `Superseded by ${now.headSha.slice(0, 7)}`, `The branch moved to ${now.headSha} while this review ran; nothing was posted, and that commit gets its own review.`);
      }
      return now.labels;
    };
    const published = await publishFindings({
      octokit, pull, signer, headSha: job.headSha, settings, diffs: prepared.diffs, report, findings: [...prepared.ruleFindings, ...modelFindings],
      partial: job.mode === "security", prior: history.prior, since: history.increment?.since, beforePosting, agentName: deps.agent.name,
    });
    calls += published.calls;

    // 11.
    return await finish(published.conclusion, published.title, published.summary, published.annotations);
  } catch (error) {
    if (error instanceof Finish) return await finish(error.conclusion, error.title, error.summary).catch((e) => failedToFinish(e, log, calls));
    log.error({ err: error }, "review failed");
    const reason = error instanceof UserFacingError ? `${neutralise(error.message)}${error.details ? `\n\n${error.details}` : ""}` : `An unexpected error stopped the review (${neutraliseInline(messageOf(error).slice(0, 200))}). The server log has the details.`;
    return await finish(settings.onIncomplete, "Review could not run (review incomplete)", `${reason}\n\nThe review did not finish, so it vouches for no file of this pull request.\n\n${finishHint(deps.agent.name)}`).catch((e) => failedToFinish(e, log, calls));
  } finally {
    watch?.stop();
  }
}

function failedToFinish(error: unknown, log: Logger, calls: number): ReviewOutcome {
  log.error({ err: error }, "could not complete the check run");
  return { conclusion: "neutral", title: "check run not completed", githubCalls: calls, usage: emptyUsage(), costUsd: 0 };
}
