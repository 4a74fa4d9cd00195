import type { ModelEnvKey } from "../engine/models.js";
import type { ModelClient } from "../engine/anthropic-client.js";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { chunkFiles } from "../diff/chunk.js";
import { parsePatch, toFileDiff } from "../diff/parse-patch.js";
import { redactFileDiff, redactText } from "../diff/redact.js";
import { renderNumberedDiff } from "../diff/render.js";
import { askQuestion } from "../engine/ask.js";
import { estimateCost } from "../engine/pricing.js";
import type { SpendHooks } from "../review/review-chunks.js";
import { UserFacingError } from "../errors.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import type { PullRequestInfo } from "../github/pull-request.js";
import { listPullRequestFiles } from "../github/pull-request-files.js";
import { codeSpan, neutralise, neutraliseInline } from "../review/neutralise.js";
import { selectFiles } from "../review/select-files.js";

/** Inputs of one question. */
export interface AskInput {
  octokit: Octokit;
  anthropic: ModelClient | undefined;
  agent: AgentDefinition;
  model: string;
  env: Pick<Env, "MODEL_MAX_OUTPUT_TOKENS" | "CHUNK_INPUT_TOKENS" | ModelEnvKey>;
  pull: PullRef;
  pr: PullRequestInfo;
  settings: ReviewSettings;
  question: string;
  /** Set when asked in a review-comment thread: its file and GitHub's `diff_hunk`. */
  thread?: { path: string; diffHunk: string } | undefined;
  /** The daily ceilings an answer counts against (`ask` and installation); none when absent. */
  spend?: SpendHooks | undefined;
}

/** The reply's text, and how many model calls it took (for logs and tests). */
export interface AskResult {
  text: string;
  modelCalls: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The thread's hunk, parsed, redacted and numbered like the review's diff. */
function threadHunk(thread: { path: string; diffHunk: string }): string | undefined {
  const hunks = parsePatch(thread.diffHunk);
  if (hunks.length === 0) return undefined;
  const { file } = redactFileDiff({ path: thread.path, status: "modified", hunks });
  return renderNumberedDiff(file);
}

/**
 * Answers a question about the PR from its reviewable diff (the repo's `paths`
 * and `ignore`, secrets redacted, one chunk's budget, most sensitive files
 * first). No reviewable diff, or a thread outside `paths`, ends without a model call.
 */
export async function runAsk(input: AskInput): Promise<AskResult> {
  const { settings } = input;
  if (!input.anthropic) return { text: "The model is not configured on this server (`ANTHROPIC_API_KEY` is not set), so I cannot answer questions.", modelCalls: 0 };
  const over = await input.spend?.exhausted();
  if (over) return { text: `I cannot answer now: ${over}.`, modelCalls: 0 };
  const files = await listPullRequestFiles(input.octokit, input.pull);
  const selection = selectFiles(files, settings);
  const where = settings.paths.map(codeSpan).join(", ");
  if (input.thread && !selection.selected.some((f) => f.path === input.thread?.path)) {
    return { text: `${codeSpan(input.thread.path)} is not among the files I review (${where}, minus \`ignore\`), so I do not send it to the model.`, modelCalls: 0 };
  }
  const diffs = selection.selected.map((f) => redactFileDiff(toFileDiff(f)).file).filter((d) => d.hunks.length > 0);
  if (diffs.length === 0) {
    return { text: `This pull request changes nothing I review in ${where}, so there is no diff to answer from.`, modelCalls: 0 };
  }
  const [first] = chunkFiles(diffs, input.env.CHUNK_INPUT_TOKENS);
  const shown = new Set(first?.parts.map((p) => p.file.path));
  const omitted = diffs.map((d) => d.path).filter((p) => !shown.has(p));
  try {
    const { output, calls } = await askQuestion(
      input.anthropic,
      { model: input.model, maxOutputTokens: input.env.MODEL_MAX_OUTPUT_TOKENS },
      input.agent,
      {
        question: redactText(input.question).text,
        title: redactText(input.pr.title).text,
        diffText: first?.text ?? "",
        omitted,
        thread: input.thread ? { path: input.thread.path, hunkText: threadHunk(input.thread) ?? "(hunk not available)" } : undefined,
      },
      (usage) => input.spend?.charge(estimateCost(input.model, usage, input.env), usage.input + usage.output + usage.cacheRead + usage.cacheWrite),
    );
    const basis = `${plural(shown.size, "file")}${omitted.length ? `; ${omitted.length} more did not fit` : ""}`;
    const footer = `<sub>Answered from the diff of \`${input.pr.headSha.slice(0, 7)}\` (${basis}) by ${codeSpan(input.model)}. Model output: check it before acting on it.</sub>`;
    return { text: `${neutralise(redactText(output.answer).text.trim())}\n\n${footer}`, modelCalls: calls };
  } catch (error) {
    // The engine turns API failures into sentences safe to post; anything else goes to the caller's log.
    if (!(error instanceof UserFacingError)) throw error;
    return { text: `I could not answer: ${neutraliseInline(error.message)} Try again in a few minutes.`, modelCalls: 1 };
  }
}
