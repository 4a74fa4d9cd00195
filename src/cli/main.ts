#!/usr/bin/env node
/**
 * `backend-agent`: the App's review, run locally on a git diff (see args.ts for the
 * commands). Reports go to stdout or `--output`; progress and errors to stderr, so
 * `--format json > report.json` stays clean. Exit status: 0 pass, 1 a finding at
 * `--fail-on`, 2 a usage or runtime error, always with one line saying what.
 */
import { writeFile } from "node:fs/promises";
import pc from "picocolors";
import { messageOf, UserFacingError } from "../errors.js";
import { countLine } from "../review/summary.js";
import { validateAgent } from "./agents-validate.js";
import { parseCommand, type ReviewArgs } from "./args.js";
import { runDoctor } from "./doctor.js";
import { exitCodeOf, formatReview, toolVersion } from "./format.js";
import { loadCliEnv } from "./load-inputs.js";
import { runLocalReview } from "./local-review.js";

const say = (line: string) => process.stderr.write(`backend-agent: ${line}\n`);

async function review(args: ReviewArgs): Promise<number> {
  const result = await runLocalReview({
    cwd: process.cwd(),
    base: args.base,
    head: args.head,
    agentFile: args.agent,
    rulesOnly: args.rulesOnly,
    failOn: args.failOn,
    env: loadCliEnv(),
    say,
  });
  for (const problem of result.report.problems) say(`warning: ${problem}`);
  const color = args.format === "text" && !args.output && (args.color ?? (pc.isColorSupported && process.stdout.isTTY === true));
  const text = formatReview(result, args.format, color);
  const code = exitCodeOf(result);
  if (args.output) {
    await writeFile(args.output, text).catch((error: NodeJS.ErrnoException) => {
      throw new UserFacingError(`cannot write ${args.output}: ${error.code ?? messageOf(error)}`);
    });
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
    case "review":
      return review(command.options);
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
