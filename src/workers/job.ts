/**
 * The jobs of this app: what the webhook handlers enqueue and the job handler runs.
 * Plain data, so that a durable queue can store them and a worker thread receive them.
 */
import type { SlashCommand } from "../commands/parse-command.js";
import type { ReviewMode } from "../engine/prompt.js";

/** Fields every job carries: where it runs and what asked for it. */
interface JobBase {
  /** Unique per job; the webhook's delivery id when there is one. */
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** What asked for it, e.g. `pull_request.synchronize` or `issue_comment.created`. */
  trigger: string;
}

/** A review of one PR head; plain data, so a durable queue can store it. */
export interface ReviewJob extends JobBase {
  kind: "review";
  headSha: string;
  mode: ReviewMode;
  /** Login of whoever asked for it (slash command, re-run button), for logs. */
  requestedBy?: string | undefined;
}

/** The comment a slash command was written in: where to react and where to answer. */
export type CommandSource =
  | { type: "issue-comment"; commentId: number; author: string }
  | {
      type: "review-comment";
      commentId: number;
      author: string;
      /** The thread's file and GitHub's `diff_hunk` (the hunk up to the commented line). */
      path: string;
      diffHunk: string;
    };

/**
 * A slash command to carry out. The handler only parsed it: who may run it, the
 * rate limit and the PR's head are decided by the worker, which may talk to GitHub.
 */
export interface CommandJob extends JobBase {
  kind: "command";
  command: SlashCommand;
  source: CommandSource;
}

/** Everything a worker runs. */
export type Job = ReviewJob | CommandJob;
