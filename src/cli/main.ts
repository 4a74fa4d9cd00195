#!/usr/bin/env node
/**
 * `backend-agent`: the App's review, run locally on a git diff (see args.ts for the
 * commands). Reports go to stdout or `--output`; progress and errors to stderr, so
 * `--format json > report.json` stays clean. Exit status: 0 pass, 1 the check would
 * fail (a finding at `--fail-on`, an incomplete review under `onIncomplete: failure`,
 * an invalid settings file), 2 a usage or runtime error, always with one line saying what.
 */
import { writeFile } from "node:fs/promises";
import pc from "picocolors";
import { messageOf, UserFacingError } from "../errors.js";
import { countLine } from "../review/summary.js";
import { validateAgent } from "./agents-validate.js";
import { validateRepoConfigFile } from "./config-validate.js";
import { parseCommand, type ReviewArgs } from "./args.js";
import { formatPlanText, planLocalReview } from "./dry-run.js";
import { runDoctor } from "./doctor.js";
import { exitCodeOf, formatReview, toolVersion } from "./format.js";
import { loadCliEnv } from "./load-inputs.js";
import { runLocalReview } from "./local-review.js";
import { evalCommand } from "../eval/eval-command.js";

const say = (line: string) => process.stderr.write(`backend-agent: ${line}\n`);

const writeReport = (file: string, text: string) =>
  writeFile(file, text).catch((error: NodeJS.ErrnoException) => {
    throw new UserFacingError(`cannot write ${file}: ${error.code ?? messageOf(error)}`, undefined, { cause: error });
  });

async function review(args: ReviewArgs): Promise<number> {
  const options = { cwd: process.cwd(), base: args.base, head: args.head, agentFile: args.agent, rulesOnly: args.rulesOnly, failOn: args.failOn, env: loadCliEnv(), say };
  if (args.dryRun) {
    const plan = await planLocalReview(options);
    const text = args.format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : formatPlanText(plan);
    if (args.output) await writeReport(args.output, text);
    else process.stdout.write(text);
    return 0;
  }
  const result = await runLocalReview(options);
  for (const problem of result.report.problems) say(`warning: ${problem}`);
  const color = args.format === "text" && !args.output && (args.color ?? (pc.isColorSupported && process.stdout.isTTY === true));
  const text = formatReview(result, args.format, color);
  const code = exitCodeOf(result);
  if (args.output) {
    await writeReport(args.output, text);
    say(`${countLine(result.report.findings)} (${result.conclusion}); report written to ${args.output}`);
  } else {
    process.stdout.write(text);
  }
  return code;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case "help":
      process.stdout.write(command.text);
      return 0;
    case "version":
      process.stdout.write(`${toolVersion()}\n`);
      return 0;
    case "agents-validate":
      process.stdout.write(await validateAgent(command.file, process.cwd(), loadCliEnv()));
      return 0;
    case "config-validate": {
      const result = await validateRepoConfigFile(command.file, process.cwd());
      process.stdout.write(result.text);
      return result.code;
    }
    case "review":
      return review(command.options);
    case "eval":
      return evalCommand(command.options, loadCliEnv(), say);
    case "doctor":
      return runDoctor(
        { cwd: process.cwd(), env: process.env, config: command.config, color: pc.isColorSupported && process.stdout.isTTY === true },
        (line) => process.stdout.write(`${line}\n`),
      );
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // What the user can fix is said as it is; anything else is a bug, said in one line too (the stack with DEBUG set).
  const message = error instanceof UserFacingError ? error.message : `unexpected error: ${messageOf(error)}`;
  say(`error: ${message.replace(/\s+/g, (ws) => (ws.includes("\n") ? " " : ws))}`);
  if (!(error instanceof UserFacingError) && process.env["DEBUG"]) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
  process.exitCode = 2;
}
