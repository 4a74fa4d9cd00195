import { parseArgs } from "node:util";
import { SEVERITIES, type Severity } from "../domain/findings.js";
import { UserFacingError } from "../errors.js";
import { FORMATS, type Format } from "./format.js";
import { EVAL_HELP, parseEval, type EvalArgs } from "../eval/eval-args.js";
import { CONFIG_VALIDATE_HELP, DOCTOR_HELP, MAIN_HELP, REVIEW_HELP, VALIDATE_HELP } from "./help-texts.js";

export { EVAL_HELP, type EvalArgs };

/** What the command line asks for. */
export type Command =
  | { kind: "help"; text: string }
  | { kind: "version" }
  | { kind: "review"; options: ReviewArgs }
  | { kind: "agents-validate"; file: string | undefined }
  | { kind: "config-validate"; file: string | undefined }
  | { kind: "doctor"; config: string | undefined }
  | { kind: "eval"; options: EvalArgs };

/** Options of `backend-agent review`. */
export interface ReviewArgs {
  base?: string | undefined;
  head?: string | undefined;
  agent?: string | undefined;
  format: Format;
  output?: string | undefined;
  rulesOnly: boolean;
  /** Plan only: files, chunks, estimated tokens and cost; no model call. */
  dryRun: boolean;
  failOn?: Severity | "never" | undefined;
  /** Forced on or off; undefined: colours when stdout is a terminal. */
  color?: boolean | undefined;
}

/** node's parse errors name the problem in their first sentence; the rest is advice about `--`. */
function usageError(error: unknown, help: string): UserFacingError {
  const message = error instanceof Error ? (error.message.split(/\.\s/)[0] ?? error.message) : String(error);
  const command = help === REVIEW_HELP ? " review" : help === VALIDATE_HELP ? " agents validate" : help === CONFIG_VALIDATE_HELP ? " config validate" : help === DOCTOR_HELP ? " doctor" : help === EVAL_HELP ? " eval" : "";
  return new UserFacingError(`${message.replace(/\.$/, "")} (see backend-agent${command} --help)`);
}

function parseReview(args: string[]): Command {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      base: { type: "string" },
      head: { type: "string" },
      agent: { type: "string" },
      format: { type: "string", short: "f", default: "text" },
      output: { type: "string", short: "o" },
      "rules-only": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      "fail-on": { type: "string" },
      color: { type: "boolean" },
      "no-color": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { kind: "help", text: REVIEW_HELP };
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UserFacingError(`--format must be one of ${FORMATS.join(", ")}, not "${values.format}"`);
  if (values["dry-run"] && format !== "text" && format !== "json") throw new UserFacingError(`--dry-run prints text or json, not ${format}`);
  const failOn = values["fail-on"];
  if (failOn !== undefined && failOn !== "never" && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UserFacingError(`--fail-on must be one of ${SEVERITIES.join(", ")}, never; not "${failOn}"`);
  }
  for (const name of ["base", "head", "agent", "output"] as const) {
    if (values[name] === "") throw new UserFacingError(`--${name} needs a value`);
  }
  return {
    kind: "review",
    options: {
      base: values.base,
      head: values.head,
      agent: values.agent,
      format,
      output: values.output,
      rulesOnly: values["rules-only"],
      dryRun: values["dry-run"],
      failOn: failOn as ReviewArgs["failOn"],
      color: values["no-color"] ? false : values.color ? true : undefined,
    },
  };
}

function parseValidate(args: string[]): Command {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help) return { kind: "help", text: VALIDATE_HELP };
  if (positionals.length > 1) throw new UserFacingError("agents validate takes one file at most (see backend-agent agents validate --help)");
  return { kind: "agents-validate", file: positionals[0] };
}

function parseConfigValidate(args: string[]): Command {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help) return { kind: "help", text: CONFIG_VALIDATE_HELP };
  if (positionals.length > 1) throw new UserFacingError("config validate takes one file at most (see backend-agent config validate --help)");
  return { kind: "config-validate", file: positionals[0] };
}

function parseDoctor(args: string[]): Command {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { config: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return { kind: "help", text: DOCTOR_HELP };
  if (values.config === "") throw new UserFacingError("--config needs a value");
  return { kind: "doctor", config: values.config };
}

/** Reads the command line (without `node` and the script); a mistake is a {@link UserFacingError}. */
export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  let help = MAIN_HELP;
  try {
    switch (command) {
      case undefined:
        throw new UserFacingError("no command given (see backend-agent --help)");
      case "-h":
      case "--help":
      case "help":
        return { kind: "help", text: MAIN_HELP };
      case "-v":
      case "--version":
        return { kind: "version" };
      case "review":
        help = REVIEW_HELP;
        return parseReview(rest);
      case "eval":
        help = EVAL_HELP;
        return parseEval(rest);
      case "doctor":
        help = DOCTOR_HELP;
        return parseDoctor(rest);
      case "agents":
        help = VALIDATE_HELP;
        if (rest[0] === "validate") return parseValidate(rest.slice(1));
        if (rest[0] === undefined || rest[0] === "-h" || rest[0] === "--help") return { kind: "help", text: VALIDATE_HELP };
        throw new UserFacingError(`unknown command "agents ${rest[0]}" (did you mean "agents validate"?)`);
      case "config":
        help = CONFIG_VALIDATE_HELP;
        if (rest[0] === "validate") return parseConfigValidate(rest.slice(1));
        if (rest[0] === undefined || rest[0] === "-h" || rest[0] === "--help") return { kind: "help", text: CONFIG_VALIDATE_HELP };
        throw new UserFacingError(`unknown command "config ${rest[0]}" (did you mean "config validate"?)`);
      default:
        throw new UserFacingError(`unknown command "${command}" (see backend-agent --help)`);
    }
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw usageError(error, help);
  }
}
