/**
 * `backend-agent eval`: every configuration over the same cases, scored.
 *
 * For each configuration: review each case (review-case.ts), score at its
 * `minConfidence`, optionally let a judge settle near misses, and with a sweep
 * score again at each confidence cut-off. A cassette (record or replay) sits
 * under the model client as its `fetch`.
 */
import { createModelClient, loadProviderSdk, type ModelClient } from "../engine/anthropic-client.js";
import PQueue from "p-queue";
import type { Env } from "../config/env.js";
import { addUsage, emptyUsage, type TokenUsage } from "../engine/review-engine.js";
import { UserFacingError } from "../errors.js";
import { loadCases, type EvalCase } from "./cases.js";
import { recordingCassette, replayingCassette, type Cassette } from "./cassette.js";
import type { EvalConfig } from "./eval-config.js";
import { acceptedKeys, judgePair, type JudgeDecision } from "./judge.js";
import { reviewCase, type CaseReview } from "./review-case.js";
import { rates, scoreCase, total, type CaseScore, type Rates } from "./score.js";

/** What to run. */
export interface EvalOptions {
  casesDir: string;
  /** Case names to run; empty: all. */
  only: string[];
  configs: EvalConfig[];
  env: Env;
  cassette?: { mode: "record" | "replay"; dir: string } | undefined;
  judge: boolean;
  sweep: boolean;
  say: (line: string) => void;
}

/** One case under one configuration. */
export interface CaseRun {
  name: string;
  clean: boolean;
  review: CaseReview;
  score: CaseScore;
}

/** One point of the threshold sweep. */
export interface SweepPoint extends Rates {
  cutoff: number;
}

/** One configuration's results. */
export interface ConfigRun {
  config: EvalConfig;
  model: string;
  modelRan: boolean;
  cases: CaseRun[];
  totals: ReturnType<typeof total>;
  /** Findings at the cut-off per clean case (the noise a clean change gets). */
  findingsPerClean: number | null;
  usage: TokenUsage;
  costUsd: number;
  estimatedInput: number;
  requests: number;
  wallMs: number;
  judge: JudgeDecision[];
  sweep: SweepPoint[];
}

/** A whole eval. */
export interface EvalResult {
  date: string;
  cases: number;
  clean: number;
  problems: number;
  runs: ConfigRun[];
}

/** The cut-offs of the sweep: 0 to 1 by 0.05. */
export const CUTOFFS = Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100);

/**
 * The model port: the configured provider's client with a cassette as its fetch, or none
 * when nothing can answer. A replay answers as the Anthropic API it was recorded from, with no key.
 */
function modelPort(env: Env, cassette: Cassette | undefined, replay: boolean): ModelClient | undefined {
  const asRecorded = { ...env, MODEL_PROVIDER: "anthropic" as const, ANTHROPIC_API_KEY: env.ANTHROPIC_API_KEY ?? "replay-needs-no-key", MODEL_MAX_RETRIES: 0 };
  return createModelClient(replay ? asRecorded : env, cassette ? { fetch: cassette.fetch } : {});
}

async function judgeAll(client: ModelClient, model: string, config: EvalConfig, cases: readonly EvalCase[], runs: readonly CaseRun[]): Promise<JudgeDecision[]> {
  const decisions: JudgeDecision[] = [];
  for (const [i, run] of runs.entries()) {
    const evalCase = cases[i]!;
    for (const pair of run.score.disputed) {
      const expected = evalCase.problems[pair.problem]!;
      const f = run.score.kept[pair.finding]!;
      const verdict = await judgePair(client, model, expected, f);
      const finding = { path: f.path, line: f.line, startLine: f.startLine, category: f.category, severity: f.severity, title: f.title, confidence: f.confidence };
      decisions.push({ config: config.name, case: run.name, problem: pair.problem, expected, finding, ...verdict });
    }
  }
  return decisions;
}

async function runConfig(config: EvalConfig, cases: readonly EvalCase[], client: ModelClient | undefined, options: EvalOptions): Promise<ConfigRun> {
  const started = performance.now();
  const queue = new PQueue({ concurrency: 4 });
  const reviews = await Promise.all(cases.map((c) => queue.add(() => reviewCase(c, config, config.modelReview ? client : undefined, options.env))));
  for (const [i, r] of reviews.entries()) for (const problem of r.problems) options.say(`${config.name} ${cases[i]!.name}: ${problem}`);
  const score = (cutoff: number, judged: readonly JudgeDecision[]) =>
    cases.map((c, i): CaseRun => ({ name: c.name, clean: c.problems.length === 0, review: reviews[i]!, score: scoreCase(c, reviews[i]!.findings, cutoff, acceptedKeys(judged, c.name)) }));
  let runs = score(config.minConfidence, []);
  const model = reviews[0]?.model ?? "";
  const modelRan = reviews.some((r) => r.modelRan);
  const judge = options.judge && client && modelRan ? await judgeAll(client, model, config, cases, runs) : [];
  if (judge.length) runs = score(config.minConfidence, judge);
  const clean = runs.filter((r) => r.clean);
  return {
    config, model, modelRan, cases: runs, totals: total(runs.map((r) => r.score)),
    findingsPerClean: clean.length ? clean.reduce((n, r) => n + r.score.kept.length, 0) / clean.length : null,
    usage: reviews.reduce((u, r) => addUsage(u, r.usage), emptyUsage()),
    costUsd: reviews.reduce((n, r) => n + r.costUsd, 0),
    estimatedInput: reviews.reduce((n, r) => n + r.estimatedInput, 0),
    requests: reviews.reduce((n, r) => n + r.requests, 0),
    wallMs: performance.now() - started,
    judge,
    sweep: options.sweep ? CUTOFFS.map((cutoff) => ({ cutoff, ...rates(total(score(cutoff, judge).map((r) => r.score)).all) })) : [],
  };
}

/** Runs the eval. Throws {@link UserFacingError} for a bad case, no way to reach a model, or a replay that missed. */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const cases = await loadCases(options.casesDir, options.only);
  const replay = options.cassette?.mode === "replay";
  const cassette = options.cassette ? (replay ? replayingCassette(options.cassette.dir) : recordingCassette(options.cassette.dir)) : undefined;
  if (!replay) await loadProviderSdk(options.env.MODEL_PROVIDER);
  const client = modelPort(options.env, cassette, replay);
  if (!client && options.configs.some((c) => c.modelReview)) {
    throw new UserFacingError("the model review needs ANTHROPIC_API_KEY (or --replay <dir>); use --rules-only to measure the rules alone");
  }
  const runs: ConfigRun[] = [];
  for (const config of options.configs) {
    options.say(`${config.name}: reviewing ${cases.length} cases…`);
    runs.push(await runConfig(config, cases, client, options));
  }
  if (cassette?.misses.length) {
    throw new UserFacingError(`the cassette ${options.cassette?.dir} has no answer for ${cassette.misses.length} request(s) (${cassette.misses.slice(0, 3).join(", ")}…): record it again with --record`);
  }
  const clean = cases.filter((c) => c.problems.length === 0).length;
  return { date: new Date().toISOString(), cases: cases.length, clean, problems: cases.reduce((n, c) => n + c.problems.length, 0), runs };
}
