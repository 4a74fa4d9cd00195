/**
 * `backend-agent eval` from the command line: configurations read, the eval run,
 * the report printed (tables, or JSON for CI), the judge's decisions and the
 * sweep's chart written to `--out`.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EvalArgs } from "./eval-args.js";
import type { Env } from "../config/env.js";
import { UserFacingError, messageOf } from "../errors.js";
import { DEFAULT_CONFIG, RULES_ONLY, loadEvalConfig } from "./eval-config.js";
import { estimateStarterCost } from "./eval-cost.js";
import { formatEval } from "./format-eval.js";
import { sweepHtml } from "./html-report.js";
import { runEval } from "./run-eval.js";

/** The starter set shipped with the tool. */
export const SHIPPED_CASES = fileURLToPath(new URL("../../eval/cases", import.meta.url));

const write = async (file: string, text: string) => {
  await mkdir(resolve(file, ".."), { recursive: true });
  await writeFile(file, text).catch((error: unknown) => {
    throw new UserFacingError(`cannot write ${file}: ${messageOf(error)}`);
  });
};

/** Runs the command; returns the exit status. */
export async function evalCommand(args: EvalArgs, env: Env, say: (line: string) => void): Promise<number> {
  const casesDir = args.cases ?? (existsSync("eval/cases") ? "eval/cases" : SHIPPED_CASES);
  const configs = args.rulesOnly ? [RULES_ONLY] : args.configs.length ? await Promise.all(args.configs.map(loadEvalConfig)) : [DEFAULT_CONFIG];
  const names = configs.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new UserFacingError(`two configurations are named alike (${names.join(", ")}): give each a name:`);
  const cassette = args.record ? { mode: "record" as const, dir: args.record } : args.replay ? { mode: "replay" as const, dir: args.replay } : undefined;
  const result = await runEval({ casesDir, only: args.only, configs, env, cassette, judge: args.judge, sweep: args.sweep, say });
  const cost = estimateStarterCost(result.runs, env.MODEL_MAX_OUTPUT_TOKENS);
  if (args.judge) {
    const file = join(args.out, "judge.json");
    await write(file, `${JSON.stringify(result.runs.flatMap((r) => r.judge), null, 2)}\n`);
    say(`judge decisions written to ${file}: check them`);
  }
  if (args.sweep) {
    const file = join(args.out, "sweep.html");
    await write(file, sweepHtml(result));
    say(`threshold sweep chart written to ${file}`);
  }
  process.stdout.write(args.json ? `${JSON.stringify({ ...result, cost }, null, 2)}\n` : formatEval(result, cost));
  return 0;
}
