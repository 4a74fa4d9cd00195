/**
 * Reviews one eval case with the CLI's pipeline. This is the one place the eval
 * calls the review: it builds a throw-away git repository (base commit on `main`,
 * the change on `change`, the configuration as the base's settings file) and runs
 * the local review's preparation, the model stage and the analysis on it.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { planLocalReview } from "../cli/dry-run.js";
import { prepareLocalReview, reviewTitle } from "../cli/local-review.js";
import type { Env } from "../config/env.js";
import { REPO_CONFIG_PATH } from "../config/repo-config.js";
import { budgetOf } from "../core/budget.js";
import { reviewDiff } from "../core/review-diff.js";
import type { Finding } from "../domain/findings.js";
import type { ModelClient, TokenUsage } from "../engine/review-engine.js";
import type { EvalCase } from "./cases.js";
import type { EvalConfig } from "./eval-config.js";

const run = promisify(execFile);

/** A fixed identity and no user or system git config: the case's commits are the same everywhere. */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "eval", GIT_AUTHOR_EMAIL: "eval@example.invalid", GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "eval", GIT_COMMITTER_EMAIL: "eval@example.invalid", GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null",
};
const git = (dir: string, ...args: string[]) => run("git", args, { cwd: dir, env: GIT_ENV });
/** Python's byte-code caches are no part of a case (a case's author may have run its files). */
const copyTree = (from: string, to: string) => cp(from, to, { recursive: true, filter: (src) => !/[\\/]__pycache__([\\/]|$)/.test(src) });

/** What the review of one case gave. */
export interface CaseReview {
  /** Every finding after merge and placement, at any confidence: the scorer applies the cut-off. */
  findings: Finding[];
  model: string;
  modelRan: boolean;
  usage: TokenUsage;
  costUsd: number;
  /** Estimated input tokens of the model requests (as `review --dry-run` counts them), asked or not. */
  estimatedInput: number;
  /** Model requests made, or planned when the model was not asked. */
  requests: number;
  /** Why parts were not reviewed (failed requests, budgets). */
  problems: string[];
  wallMs: number;
}

/** The case's settings file: the configuration's model, cut-off, rules and tools (the cut-off applies again in the scorer). */
function settingsFile(config: EvalConfig): string {
  return stringify({
    ...(config.model ? { model: config.model } : {}),
    minConfidence: config.minConfidence,
    ...(Object.keys(config.ruleSettings).length ? { rules: config.ruleSettings } : {}),
    ...(config.tools === undefined ? {} : { tools: config.tools }),
  });
}

/** Builds the case's repository in a temp directory: `main` = base (+ settings), `change` = the change. */
export async function materialise(evalCase: EvalCase, config: EvalConfig): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `backend-agent-eval-${evalCase.name}-`));
  await git(dir, "init", "-q", "-b", "main");
  await copyTree(join(evalCase.dir, "base"), dir);
  await mkdir(join(dir, ".github"), { recursive: true });
  await writeFile(join(dir, REPO_CONFIG_PATH), settingsFile(config));
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "base");
  await git(dir, "checkout", "-q", "-b", "change");
  if (evalCase.change.kind === "head") await copyTree(evalCase.change.dir, dir);
  else await git(dir, "apply", "--whitespace=nowarn", evalCase.change.file);
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "--allow-empty", "-m", evalCase.title);
  return dir;
}

/**
 * Reviews `evalCase` under `config`; `client` is the model port (a cassette's fetch
 * behind it, or none for the rules alone).
 */
export async function reviewCase(evalCase: EvalCase, config: EvalConfig, client: ModelClient | undefined, env: Env): Promise<CaseReview> {
  const started = performance.now();
  const dir = await materialise(evalCase, config);
  try {
    const { root, headCommit, settings, agent, model, selection, prepared } = await prepareLocalReview({ cwd: dir, base: "main", head: "change", env, say: () => {} });
    const modelRan = config.modelReview && client !== undefined && prepared.reviewed.length > 0;
    const result = await reviewDiff(
      {
        selection, prepared: config.rules ? prepared : { ...prepared, ruleFindings: [] },
        // Every finding the model gives, at any confidence and however many: the scorer applies the cut-off.
        // Confirmation by the model only when the configuration asks: the committed cassette's requests carry no candidates.
        settings: { ...settings, maxComments: 100, confirmRules: config.confirmRules ?? false }, keepConfidence: 0, agent, model, mode: "review", title: await reviewTitle(root, "change", headCommit),
        limits: { maxOutputTokens: env.MODEL_MAX_OUTPUT_TOKENS, chunkTokens: env.CHUNK_INPUT_TOKENS, concurrency: env.REVIEW_CONCURRENCY }, budget: budgetOf(env),
      },
      { model: modelRan ? client : undefined },
    );
    let estimatedInput = result.stage?.estimatedInput ?? 0;
    let requests = result.stage?.calls ?? 0;
    if (!modelRan) {
      // What a model run would send, counted as the dry run counts it: the cost estimate of a rules-only run.
      const plan = await planLocalReview({ cwd: dir, base: "main", head: "change", env, say: () => {}, rulesOnly: true });
      ({ inputTokens: estimatedInput } = plan.estimate);
      requests = plan.chunks.length;
    }
    const { report } = result;
    return {
      findings: report.findings.map((r) => r.finding), model, modelRan, usage: report.usage, costUsd: report.costUsd, estimatedInput, requests,
      problems: report.problems, wallMs: performance.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
