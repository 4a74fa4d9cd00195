/**
 * The command line of `backend-agent eval` (args.ts routes `eval` here, so the
 * eval's options live beside the eval).
 */
import { parseArgs } from "node:util";
import { UserFacingError } from "../errors.js";

/** Options of `backend-agent eval`. */
export interface EvalArgs {
  cases?: string | undefined;
  only: string[];
  configs: string[];
  rulesOnly: boolean;
  judge: boolean;
  sweep: boolean;
  out: string;
  json: boolean;
  record?: string | undefined;
  replay?: string | undefined;
}

/** `backend-agent eval --help`. */
export const EVAL_HELP = `Usage: backend-agent eval [options]

Reviews every case of eval/cases (a change and its known problems, see the
README's "Measuring the review") and scores the findings: a finding matches a
known problem on the same path, within its lines ±3, with the same category.
Prints precision, recall and F1 in total, by category, by severity and per case,
findings per clean case, tokens, cost and time, and the starter set's cost per model.

Options:
  --cases <dir>            Cases directory (default: ./eval/cases, else the shipped set)
  --case <name>            Only this case (repeatable)
  --config <file>          A configuration to measure: name, model, minConfidence,
                           rules (true | false | rule map), modelReview, tools.
                           Repeat to compare them side by side on the same cases
  --rules-only             The deterministic rules alone: no model, no key needed
  --judge                  A model call decides near misses whose category differs;
                           the decisions are written to <out>/judge.json
  --threshold-sweep        Precision and recall at each confidence cut-off; the curve
                           is written to <out>/sweep.html
  --out <dir>              Directory for judge.json and sweep.html (default: eval-out)
  --json                   Print the full result as JSON (for CI) instead of tables
  --record <dir>           Store every model exchange in a cassette directory
  --replay <dir>           Answer the model's requests from a cassette (no key);
                           a request it has not seen fails the run
  -h, --help               Show this help

Environment: as for review (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, DEFAULT_MODEL, …).

Exit status: 0 when the eval ran, 2 on a usage or runtime error (a malformed case,
no key without --rules-only or --replay, a replay that missed a request).
`;

export function parseEval(args: string[]): { kind: "eval"; options: EvalArgs } | { kind: "help"; text: string } {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      cases: { type: "string" },
      case: { type: "string", multiple: true, default: [] },
      config: { type: "string", multiple: true, default: [] },
      "rules-only": { type: "boolean", default: false },
      judge: { type: "boolean", default: false },
      "threshold-sweep": { type: "boolean", default: false },
      out: { type: "string", default: "eval-out" },
      json: { type: "boolean", default: false },
      record: { type: "string" },
      replay: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { kind: "help", text: EVAL_HELP };
  for (const name of ["cases", "out", "record", "replay"] as const) {
    if (values[name] === "") throw new UserFacingError(`--${name} needs a value`);
  }
  if (values.record && values.replay) throw new UserFacingError("--record and --replay exclude each other");
  if (values["rules-only"] && values.config.length) throw new UserFacingError("--rules-only measures the rules alone; leave out --config (or give a config with modelReview: false)");
  if (values["rules-only"] && values.judge) throw new UserFacingError("--judge needs the model; leave out --rules-only");
  return {
    kind: "eval",
    options: {
      cases: values.cases, only: values.case, configs: values.config, rulesOnly: values["rules-only"], judge: values.judge,
      sweep: values["threshold-sweep"], out: values.out, json: values.json, record: values.record, replay: values.replay,
    },
  };
}
