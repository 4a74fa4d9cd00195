/**
 * One slash command, in the worker:
 *
 *  1. Load the PR, the settings and the agent from the default branch.
 *  2. Check the author's role (permission API) against `allowedCommenters`
 *     (`skip`: write, maintain or admin, whatever `allowedCommenters` says).
 *     Anyone else gets one polite reply per PR, no reaction, no model call.
 *  3. React 👀 on the comment: the command is accepted.
 *  4. Apply the per-PR rate limit; over it, say so and stop.
 *  5. Run it: `review`/`security` enqueue a review of the current head (the queue
 *     drops it when that head is already being reviewed: say so); `ask` answers
 *     from the diff; `ignore` (in a finding's thread) records that the finding is
 *     not raised again; `skip` passes the head's incomplete check with the reason
 *     recorded (run-skip.ts); `help` and unknown sub-commands reply with the help.
 *
 * Replies quote the request and carry the hidden marker, in the thread when the
 * command came from a review comment.
 */
import type { SnapshotOpener } from "../snapshot/snapshot-cache.js";
import type { ModelEnvKey } from "../engine/models.js";
import type { ModelClient } from "../engine/anthropic-client.js";
import type { Logger } from "pino";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { REPO_CONFIG_PATH } from "../config/repo-config.js";
import type { AppIdentity } from "../github/app-identity.js";
import { postComment, hasBotComment } from "../github/comments.js";
import type { Octokit } from "../github/octokit.js";
import type { RepoRole } from "../github/permissions.js";
import { addReaction } from "../github/reactions.js";
import type { CommandJob, JobQueue } from "../jobs/queue.js";
import type { MarkerSigner } from "../review/marker-signer.js";
import { codeSpan } from "../review/neutralise.js";
import { loadCommandContext, type CommandContext } from "./command-context.js";
import type { CommandGuards } from "./command-guards.js";
import { commandTable, renderHelp } from "./help.js";
import { formatReply, replyMarker, replyToCommand } from "./replies.js";
import { runAsk } from "./run-ask.js";
import { runIgnore } from "./run-ignore.js";
import { runSkip, SKIP_ROLES } from "./run-skip.js";
import type { SpendPolicy } from "../spend/spend-policy.js";

/** What a command needs besides the job. */
export interface CommandDeps {
  octokit: Octokit;
  log: Logger;
  anthropic: ModelClient | undefined;
  /** The bundled agent: its name is the command; a repo may override the rest. */
  agent: AgentDefinition;
  env: Pick<Env, "DEFAULT_MODEL" | "MODEL_MAX_OUTPUT_TOKENS" | "CHUNK_INPUT_TOKENS" | "TOOL_MAX_TURNS" | "TOOL_TOKEN_BUDGET" | ModelEnvKey>;
  /** Where `review` and `security` put the review they ask for. */
  queue: Pick<JobQueue, "enqueue">;
  /** The process's rate limit, roles and "told once" memory (command-guards.ts). */
  guards: CommandGuards;
  /** This app's identity (`GET /app`, cached per process): only its own comments and markers count. */
  appIdentity: () => Promise<AppIdentity>;
  /** Signs the markers the replies carry (`ignore`). */
  markers: MarkerSigner;
  /** Daily spend ceilings `ask` answers count against; none when absent. */
  spend?: SpendPolicy | undefined;
  /** Head-commit snapshots: `ask` reads the code through them (the review's download when it is cached). */
  snapshots?: SnapshotOpener | undefined;
  /**
   * Told (and awaited) once the command is accepted, before it runs: a worker thread tells
   * the main thread, which then replies that the command failed should the thread die.
   */
  accepted?: (() => Promise<unknown>) | undefined;
}

/** How a command ended, for logs and tests. */
export type CommandOutcome = "denied" | "denied-again" | "rate-limited" | "review-queued" | "review-running" | "closed" | "answered" | "help" | "skipped" | "failed";

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** The reply to a command that failed once accepted. */
const COMMAND_FAILED = "Something went wrong running this command; the server log has the details. Try again in a few minutes.";


/** Runs one command; never throws (failures are logged, and replied to once the command was accepted). */
export async function runCommand(job: CommandJob, deps: CommandDeps): Promise<CommandOutcome> {
  const { octokit, log, guards } = deps;
  const { command, source } = job;
  const name = deps.agent.name;
  const repo = { owner: job.owner, repo: job.repo };
  const pull = { ...repo, pullNumber: job.pullNumber };
  const reply = (text: string) => replyToCommand(octokit, job, name, text);
  let accepted = false;
  try {
    // An outsider already told no, with a role still cached: nothing to ask GitHub.
    const roleRef = { installationId: job.installationId, ...repo, username: source.author };
    if (await guards.knownDenied(roleRef, deniedKey(job))) return "denied-again";
    // 1.
    const [ctx, role, app] = await Promise.all([
      loadCommandContext(octokit, pull, deps.agent, deps.env),
      guards.role(roleRef),
      deps.appIdentity(),
    ]);

    // 2.
    const allowed = command.name === "skip" ? SKIP_ROLES : ctx.settings.allowedCommenters;
    if (role === "none" || !allowed.includes(role)) {
      log.info({ author: source.author, role, command: command.name }, "command refused: not allowed");
      return await deny(job, deps, allowed, app);
    }

    // 3.
    accepted = true;
    await deps.accepted?.();
    await addReaction(octokit, { ...repo, kind: source.type, commentId: source.commentId, content: "eyes" }).catch((error: unknown) => {
      log.warn({ err: error }, "could not react to the command");
    });

    // 4.
    const rate = await guards.take(`${job.owner}/${job.repo}#${job.pullNumber}`);
    if (!rate.allowed) {
      log.info({ author: source.author, command: command.name, retryInMs: rate.retryInMs }, "command refused: rate limit");
      await reply(`Too many commands on this pull request: at most ${rate.max} every ${minutes(rate.windowMs)} minutes. Try again in ${minutes(rate.retryInMs)} minute${minutes(rate.retryInMs) === 1 ? "" : "s"}.`);
      return "rate-limited";
    }

    // 5.
    return await dispatch(job, deps, ctx, reply, { role, app });
  } catch (error) {
    log.error({ err: error, command: command.name }, "command failed");
    if (accepted) {
      await reply(COMMAND_FAILED).catch((e: unknown) => log.error({ err: e }, "could not report the failure"));
    }
    return "failed";
  }
}

/**
 * The denial: once per PR and user, remembered in memory and found again on GitHub
 * after a restart — which is why it always goes on the PR conversation (the
 * listing it is found in), even for a command written in a review thread.
 */
/** The "already told" key: a skip refusal is its own notice, so a user allowed other commands is told about skip once too. */
const deniedKey = (job: CommandJob) =>
  `${job.owner}/${job.repo}#${job.pullNumber}:${job.command.name === "skip" ? "skip:" : ""}${job.source.author.toLowerCase()}`;

async function deny(job: CommandJob, deps: CommandDeps, allowed: readonly string[], app: AppIdentity): Promise<CommandOutcome> {
  const login = job.source.author;
  const skip = job.command.name === "skip";
  const key = deniedKey(job);
  const kind = `denied${skip ? "-skip" : ""}:${login.toLowerCase()}`;
  // Taken before the lookup: commands of the same user running at once tell them once.
  if (await deps.guards.markDenied(key)) return "denied-again";
  const marker = replyMarker(deps.agent.name, kind);
  if (await hasBotComment(deps.octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber, marker, botLogin: app.botLogin })) return "denied-again";
  const roles = allowed.length > 1 ? `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}` : allowed.join("");
  const text = `Sorry @${login}, only people with ${roles} permission on this repository can run \`/${deps.agent.name}${skip ? " skip" : ""}\`${skip ? "" : " commands"}; a maintainer can run it for you.`;
  await postComment(deps.octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber, body: formatReply(deps.agent.name, job.command.request, text, kind) });
  return "denied";
}

async function dispatch(
  job: CommandJob,
  deps: CommandDeps,
  ctx: CommandContext,
  reply: (text: string) => Promise<number>,
  who: { role: RepoRole; app: AppIdentity },
): Promise<CommandOutcome> {
  const { command, source } = job;
  const name = deps.agent.name;
  const help = () =>
    renderHelp({
      agentName: name, agentSource: ctx.agent.source, model: ctx.model, settings: ctx.settings,
      defaultBranch: ctx.pr.defaultBranch, configProblems: ctx.configProblems, notes: ctx.notes,
    });
  switch (command.name) {
    case "help":
      await reply(help());
      return "help";
    case "ignore": {
      const pull = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
      const text = await runIgnore(deps.octokit, pull, source, name, {
        app: who.app, signer: deps.markers.forPull(pull), role: who.role, prAuthor: ctx.pr.author, allowAuthorDismiss: ctx.settings.allowAuthorDismiss,
      });
      deps.log.info({ author: source.author, role: who.role }, "ignore answered");
      await reply(text);
      return "answered";
    }
    case "unknown":
      await reply(`${codeSpan(command.word.slice(0, 40))} is not a \`/${name}\` command.\n\n${commandTable(name)}\n\n\`/${name} help\` also lists the settings in force.`);
      return "help";
    case "review":
    case "security": {
      if (ctx.pr.state !== "open") {
        await reply("This pull request is closed: there is nothing to review.");
        return "closed";
      }
      const result = await deps.queue.enqueue({
        kind: "review", id: `${job.id}:${command.name}`, installationId: job.installationId, owner: job.owner, repo: job.repo,
        pullNumber: job.pullNumber, headSha: ctx.pr.headSha, trigger: job.trigger, mode: command.name, requestedBy: source.author,
      });
      deps.log.info({ sha: ctx.pr.headSha, mode: command.name, ...result }, result.queued ? "review queued by command" : "review not queued");
      if (result.queued) return "review-queued";
      if (result.reason === "already-queued") {
        await reply(`A ${command.name === "security" ? "security pass" : "review"} of \`${ctx.pr.headSha.slice(0, 7)}\` is already running; its results will appear on this pull request.`);
        return "review-running";
      }
      return "closed";
    }
    case "skip": {
      const result = await runSkip({
        octokit: deps.octokit, pull: { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber }, pr: ctx.pr, agentName: name,
        failOn: ctx.settings.failOn, login: source.author, role: who.role, reason: command.reason, appId: who.app.appId,
        allowAuthor: ctx.settings.allowAuthorDismiss,
      });
      deps.log.info({ author: source.author, role: who.role, sha: ctx.pr.headSha, skipped: result.skipped }, result.skipped ? "check skipped by command" : "skip refused");
      await reply(result.text);
      return result.skipped ? "skipped" : "answered";
    }
    case "ask": {
      if (command.question === "") {
        await reply(`Ask a question after the command, e.g. \`/${name} ask why is this queryset not scoped to the tenant?\``);
        return "answered";
      }
      if (ctx.configProblems.length > 0) {
        await reply(`\`${REPO_CONFIG_PATH}\` on ${codeSpan(ctx.pr.defaultBranch)} is invalid, so I do not know which files I may send to the model. \`/${name} help\` lists the problems.`);
        return "answered";
      }
      const thread = source.type === "review-comment" ? { path: source.path, diffHunk: source.diffHunk } : undefined;
      const answer = await runAsk({
        octokit: deps.octokit, anthropic: deps.anthropic, agent: ctx.agent, model: ctx.model, env: deps.env,
        pull: { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber }, pr: ctx.pr, settings: ctx.settings, question: command.question, thread,
        spend: deps.spend?.forAsk(job.installationId, deps.log), snapshots: deps.snapshots, log: deps.log,
      });
      if (answer.failure) deps.log.warn({ modelCalls: answer.modelCalls, ...answer.failure }, "question not answered: the model call failed");
      else deps.log.info({ modelCalls: answer.modelCalls }, "question answered");
      await reply(answer.text);
      return "answered";
    }
  }
}
