/**
 * `/<agent> ask` without GitHub: a question and the PR's selected files in, the
 * reply's text out. The files the model may read are the review's (`paths` minus
 * `ignore`, redacted: src/core/prepare-diffs.ts), one chunk's budget of them, most
 * sensitive first; the model is the same port the review core uses.
 */
import type { AgentDefinition } from "../agents/load-agent.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { chunkFiles } from "../diff/chunk.js";
import { parsePatch } from "../diff/parse-patch.js";
import { redactFileDiff, redactText } from "../diff/redact.js";
import { renderNumberedDiff } from "../diff/render.js";
import { askQuestion } from "../engine/ask.js";
import type { RequestTools } from "../engine/review-with-tools.js";
import { toolTokenBudget } from "../engine/tool-loop.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { ModelClient } from "../engine/review-engine.js";
import { apiErrorFields, UserFacingError } from "../errors.js";
import { codeSpan, neutralise, neutraliseInline } from "../review/neutralise.js";
import type { FileSelection } from "../review/select-files.js";
import type { PricePlace } from "../engine/pricing.js";
import { chargeTo, type SpendHooks } from "./budget.js";
import { modelView } from "./prepare-diffs.js";

/** A question about a change. */
export interface QuestionInput {
  question: string;
  /** The PR's title (redacted here) and head commit (named in the footer). */
  title: string;
  headSha: string;
  settings: Pick<ReviewSettings, "paths">;
  agent: AgentDefinition;
  model: string;
  /** Where the model runs, for its price (the Anthropic API when unset). */
  place?: PricePlace | undefined;
  limits: { maxOutputTokens: number; chunkTokens: number };
  /** Set when asked in a review-comment thread: its file and GitHub's `diff_hunk`. */
  thread?: { path: string; diffHunk: string } | undefined;
  /** Tool turns and tool tokens of the answer, when there is `code`. */
  toolLimits?: { maxTurns: number; maxTokens: number } | undefined;
}

/** What a question reads and talks to. */
export interface QuestionPorts {
  /** The changed files in `paths` (src/review/select-files.ts); listed only once the model will be asked. */
  files: () => Promise<Pick<FileSelection, "selected">>;
  model?: ModelClient | undefined;
  spend?: SpendHooks | undefined;
  /**
   * What the model may know beyond the diff, read only once the model will be asked:
   * the head commit's files (the model may read them with read_file, grep, glob) and
   * the project's instruction files (default branch), in the system part as for a review.
   */
  context?: (() => Promise<{ code?: SnapshotReader | undefined; projectInstructions?: string | undefined }>) | undefined;
}

/** The reply's text, and how many model calls it took (for logs and tests). */
export interface QuestionAnswer {
  text: string;
  modelCalls: number;
  /** Why the model call failed, with the provider's status and request id when it answered: for the caller's log. */
  failure?: { reason: string; status?: number; requestId?: string } | undefined;
}

/** The answer's tools: the head commit, within one request's budgets. */
function toolsFor(input: QuestionInput, code: SnapshotReader | undefined): RequestTools | undefined {
  if (!code) return undefined;
  const limits = input.toolLimits ?? { maxTurns: 8, maxTokens: 200_000 };
  return { reader: code, budgets: { maxTurns: limits.maxTurns, tokens: toolTokenBudget(limits.maxTokens) } };
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
 * Answers from the reviewable diff. No model, a spent ceiling, no reviewable diff,
 * or a thread outside `paths` ends without a model call; a failed call is a reply
 * that says so. The answer is redacted and neutralised before anyone posts it.
 */
export async function answerQuestion(input: QuestionInput, ports: QuestionPorts): Promise<QuestionAnswer> {
  if (!ports.model) return { text: "The model is not configured on this server (`ANTHROPIC_API_KEY` is not set), so I cannot answer questions.", modelCalls: 0 };
  const over = await ports.spend?.exhausted();
  if (over) return { text: `I cannot answer now: ${over}.`, modelCalls: 0 };
  const selection = await ports.files();
  const where = input.settings.paths.map(codeSpan).join(", ");
  if (input.thread && !selection.selected.some((f) => f.path === input.thread?.path)) {
    return { text: `${codeSpan(input.thread.path)} is not among the files I review (${where}, minus \`ignore\`), so I do not send it to the model.`, modelCalls: 0 };
  }
  const diffs = modelView(selection.selected).filter((d) => d.hunks.length > 0);
  if (diffs.length === 0) return { text: `This pull request changes nothing I review in ${where}, so there is no diff to answer from.`, modelCalls: 0 };
  const [first] = chunkFiles(diffs, input.limits.chunkTokens);
  const shown = new Set(first?.parts.map((p) => p.file.path));
  const omitted = diffs.map((d) => d.path).filter((p) => !shown.has(p));
  const context = (await ports.context?.()) ?? {};
  try {
    const { output, calls, tools } = await askQuestion(
      ports.model,
      { model: input.model, maxOutputTokens: input.limits.maxOutputTokens },
      input.agent,
      {
        question: redactText(input.question).text,
        title: redactText(input.title).text,
        diffText: first?.text ?? "",
        omitted,
        thread: input.thread ? { path: input.thread.path, hunkText: threadHunk(input.thread) ?? "(hunk not available)" } : undefined,
      },
      chargeTo(ports.spend, input.model, input.place),
      { tools: toolsFor(input, context.code), projectInstructions: context.projectInstructions },
    );
    const basis = `${plural(shown.size, "file")}${omitted.length ? `; ${omitted.length} more did not fit` : ""}`;
    const read = tools?.filesRead.length ? ` and ${plural(tools.filesRead.length, "file")} of its code` : "";
    const footer = `<sub>Answered from the diff of \`${input.headSha.slice(0, 7)}\` (${basis})${read} by ${codeSpan(input.model)}. Model output: check it before acting on it.</sub>`;
    return { text: `${neutralise(redactText(output.answer).text.trim())}\n\n${footer}`, modelCalls: calls };
  } catch (error) {
    // The engine turns API failures into sentences safe to post; anything else goes to the caller's log.
    if (!(error instanceof UserFacingError)) throw error;
    return { text: `I could not answer: ${neutraliseInline(error.message)} Try again in a few minutes.`, modelCalls: 1, failure: { reason: error.message, ...apiErrorFields(error) } };
  }
}
