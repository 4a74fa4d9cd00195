import { parseCommand } from "../commands/parse-command.js";
import { markerPrefix } from "../commands/replies.js";
import type { CommandSource, JobQueue } from "../jobs/queue.js";
import { boundCommand, boundDiffHunk } from "./bound-command.js";
import type { WebhookEvent } from "./webhook-event.js";

/** What the comment handlers need: the queue, the command name, and bots allowed to run commands. */
export interface SlashCommandOptions {
  queue: JobQueue;
  /** The bundled agent's name: `/<name>` is the command. */
  agentName: string;
  /** Logins of bots (e.g. `renovate[bot]`) whose commands are not ignored; they still need permission. */
  allowedBots?: readonly string[] | undefined;
}

interface Author {
  login: string;
  type?: string | undefined;
}

/**
 * A comment is ignored when it is the bot's own (hidden marker) or another bot's
 * (unless allowed): two bots answering each other would never stop.
 */
function ignoredAuthor(options: SlashCommandOptions, user: Author, body: string): string | undefined {
  if (body.includes(markerPrefix(options.agentName))) return "own comment";
  if (user.type === "Bot" && !(options.allowedBots ?? []).some((b) => b.toLowerCase() === user.login.toLowerCase())) return "bot author";
  return undefined;
}

/**
 * `issue_comment.created` on a pull request: parses a `/<agent>` command and
 * enqueues it. No GitHub call here — permission, 👀 and the rate limit are the
 * worker's, so the webhook is acknowledged in milliseconds and no Octokit error
 * can escape.
 */
export function onIssueComment(options: SlashCommandOptions) {
  return async (event: WebhookEvent<"issue_comment.created">): Promise<void> => {
    const { issue, comment, repository, installation } = event.payload;
    const fields = { repo: repository.full_name, pr: issue.number, job: event.id };
    if (!issue.pull_request || !installation) return;
    const ignored = ignoredAuthor(options, comment.user ?? { login: "ghost" }, comment.body);
    if (ignored) {
      event.log.debug({ ...fields, reason: ignored }, "comment ignored");
      return;
    }
    const parsed = parseCommand(comment.body, options.agentName);
    if (!parsed) return;
    const command = boundCommand(parsed);
    const source: CommandSource = { type: "issue-comment", commentId: comment.id, author: comment.user?.login ?? "ghost" };
    const result = await options.queue.enqueue({
      kind: "command", id: event.id, installationId: installation.id, owner: repository.owner.login, repo: repository.name,
      pullNumber: issue.number, trigger: "issue_comment.created", command, source,
    });
    event.log.info({ ...fields, command: command.name, author: source.author, ...result }, result.queued ? "command queued" : "command not queued");
  };
}

/**
 * `pull_request_review_comment.created`: `/<agent> <question>` in a review thread
 * is answered in that thread, with the thread's hunk as context.
 */
export function onReviewComment(options: SlashCommandOptions) {
  return async (event: WebhookEvent<"pull_request_review_comment.created">): Promise<void> => {
    const { pull_request: pr, comment, repository, installation } = event.payload;
    const fields = { repo: repository.full_name, pr: pr.number, sha: pr.head.sha, job: event.id };
    if (!installation) return;
    const ignored = ignoredAuthor(options, comment.user ?? { login: "ghost" }, comment.body);
    if (ignored) {
      event.log.debug({ ...fields, reason: ignored }, "review comment ignored");
      return;
    }
    const parsed = parseCommand(comment.body, options.agentName, { thread: true });
    if (!parsed) return;
    const command = boundCommand(parsed);
    const source: CommandSource = {
      type: "review-comment", commentId: comment.id, author: comment.user?.login ?? "ghost",
      path: comment.path, diffHunk: boundDiffHunk(comment.diff_hunk),
    };
    const result = await options.queue.enqueue({
      kind: "command", id: event.id, installationId: installation.id, owner: repository.owner.login, repo: repository.name,
      pullNumber: pr.number, trigger: "pull_request_review_comment.created", command, source,
    });
    event.log.info({ ...fields, command: command.name, author: source.author, ...result }, result.queued ? "command queued" : "command not queued");
  };
}
