import type Anthropic from "@anthropic-ai/sdk";
import type { Probot } from "probot";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import type { Octokit } from "../github/octokit.js";
import { runReview, type ReviewDeps } from "../review/run-review.js";
import type { ReviewJob } from "./queue.js";

/**
 * The job handler: authenticates as the job's installation and runs the review
 * with a logger that carries `{ repo, pr, sha, job }` on every line.
 */
export function createReviewWorker(deps: { probot: Probot; anthropic: Anthropic | undefined; agent: AgentDefinition; env: ReviewDeps["env"] & Pick<Env, "REVIEW_CONCURRENCY"> }) {
  return async (job: ReviewJob): Promise<void> => {
    const log = deps.probot.log.child({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha: job.headSha, job: job.id });
    try {
      const octokit = (await deps.probot.auth(job.installationId)) as Octokit;
      log.info({ trigger: job.trigger, mode: job.mode }, "review started");
      await runReview(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env });
    } catch (error) {
      // Only reachable before the check run exists (authentication failed): nothing to complete.
      log.error({ err: error }, "review job failed before it could report");
    }
  };
}
