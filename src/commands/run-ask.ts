import type { ModelEnvKey } from "../engine/models.js";
import type { ModelClient } from "../engine/anthropic-client.js";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { answerQuestion, type QuestionAnswer } from "../core/answer-question.js";
import type { SpendHooks } from "../core/budget.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import type { PullRequestInfo } from "../github/pull-request.js";
import { listPullRequestFiles } from "../github/pull-request-files.js";
import { selectFiles } from "../review/select-files.js";
import { readRepoContext } from "../review/repo-context.js";
import type { SnapshotOpener } from "../snapshot/snapshot-cache.js";
import type { Logger } from "pino";

/** Inputs of one question. */
export interface AskInput {
  octokit: Octokit;
  anthropic: ModelClient | undefined;
  agent: AgentDefinition;
  model: string;
  env: Pick<Env, "MODEL_MAX_OUTPUT_TOKENS" | "CHUNK_INPUT_TOKENS" | "TOOL_MAX_TURNS" | "TOOL_TOKEN_BUDGET" | ModelEnvKey>;
  pull: PullRef;
  pr: PullRequestInfo;
  settings: ReviewSettings;
  question: string;
  /** Set when asked in a review-comment thread: its file and GitHub's `diff_hunk`. */
  thread?: { path: string; diffHunk: string } | undefined;
  /** The daily ceilings an answer counts against (`ask` and installation); none when absent. */
  spend?: SpendHooks | undefined;
  /** Head-commit snapshots: the model reads the code to answer (with `tools: true`). */
  snapshots?: SnapshotOpener | undefined;
  log: Logger;
}

/** The reply's text, and how many model calls it took (for logs and tests). */
export type AskResult = QuestionAnswer;

/**
 * `/<agent> ask` on GitHub: the PR's files, selected by the repo's `paths` and
 * `ignore`, go to the core's {@link answerQuestion} with the model and the spend
 * ceilings as its ports; the files are listed only when the model will be asked.
 * With `tools: true` the head commit's snapshot is the model's to read, and the
 * default branch's instruction files join the system part, as for a review.
 */
export async function runAsk(input: AskInput): Promise<AskResult> {
  return answerQuestion(
    {
      question: input.question, title: input.pr.title, headSha: input.pr.headSha, settings: input.settings, agent: input.agent, model: input.model, place: input.env,
      limits: { maxOutputTokens: input.env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: input.env.CHUNK_INPUT_TOKENS }, thread: input.thread,
      toolLimits: { maxTurns: input.env.TOOL_MAX_TURNS, maxTokens: input.env.TOOL_TOKEN_BUDGET },
    },
    {
      model: input.anthropic,
      spend: input.spend,
      files: async () => selectFiles(await listPullRequestFiles(input.octokit, input.pull), input.settings),
      // The snapshot (shared with the review of the same head) and the default branch's instructions.
      context: async () => {
        const context = await readRepoContext(input.octokit, { ...input.pull, headSha: input.pr.headSha, defaultBranch: input.pr.defaultBranch }, input.settings, input.snapshots, input.log);
        return { code: context.files, projectInstructions: context.projectInstructions?.text };
      },
    },
  );
}
