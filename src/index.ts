import type { ApplicationFunction } from "probot";
import { onPullRequest, REVIEW_ACTIONS } from "./events/pull-request.js";
import type { JobQueue } from "./jobs/queue.js";

/** The Probot app: registers the event handlers, which only enqueue work. */
export function createApp(deps: { queue: JobQueue }): ApplicationFunction {
  return (app) => {
    app.on([...REVIEW_ACTIONS], onPullRequest(deps.queue));
  };
}
