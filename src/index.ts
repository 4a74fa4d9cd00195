import type { ApplicationFunction } from "probot";
import { onCheckRunRerun, onCheckSuiteRerun, RERUN_ACTIONS } from "./events/check-rerun.js";
import { onPullRequest, REVIEW_ACTIONS } from "./events/pull-request.js";
import { onIssueComment, onReviewComment } from "./events/slash-command.js";
import type { JobQueue } from "./jobs/queue.js";

/** What the handlers share: the queue, and the bundled agent's name (the command and the check). */
export interface AppDeps {
  queue: JobQueue;
  agentName: string;
  /** Bot logins whose slash commands are not ignored. */
  allowedBots?: readonly string[] | undefined;
}

/** The Probot app: registers the event handlers, which only enqueue work. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.on([...REVIEW_ACTIONS], onPullRequest(deps.queue));
    app.on("issue_comment.created", onIssueComment(deps));
    app.on("pull_request_review_comment.created", onReviewComment(deps));
    app.on([...RERUN_ACTIONS], onCheckRunRerun(deps));
    app.on("check_suite.rerequested", onCheckSuiteRerun(deps));
  };
}
