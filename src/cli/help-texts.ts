/** The CLI's `--help` texts, one a command. */
import { SEVERITIES } from "../domain/findings.js";
import { FORMATS } from "./format.js";

/** `backend-agent --help`. */
export const MAIN_HELP = `Usage: backend-agent <command> [options]

Commands:
  review                   Review the changes of the current git repository
  agents validate [file]   Check an agent definition; print its model and prompt size
  config validate [file]   Check the settings file (default .github/backend-agent.yml)
  eval                     Measure the review on known cases: precision, recall, F1, cost
  doctor                   Check the server's setup: env, key, GitHub App, model key, Redis, DATA_DIR

Options:
  -h, --help               Show help (also: backend-agent <command> --help)
  -v, --version            Show the version
`;

/** `backend-agent review --help`. */
export const REVIEW_HELP = `Usage: backend-agent review [options]

Reviews the changes of the current git repository with the GitHub App's pipeline:
the same settings (.github/backend-agent.yml), agent, deterministic rules and, when
ANTHROPIC_API_KEY is set, the same model review. Like a pull request, the diff is
taken from the merge-base of --base and --head. The settings and the repository's
.claude/agents/<name>.md are read from that base commit, as the App reads them from
the default branch.

Options:
  --base <ref>             Branch the change goes into (default: the default branch)
  --head <ref>             Commit to review (default: the working tree, untracked files included)
  --agent <file>           Agent definition to use instead of the bundled or repository one
  -f, --format <format>    ${FORMATS.join(" | ")} (default: text)
  -o, --output <file>      Write the report to <file> instead of stdout
  --rules-only             Run the deterministic rules only; never call the model
  --dry-run                List the files (and those skipped, why), the chunks and the
                           estimated input tokens and cost; no model call, no key
                           needed; exit 0 (2 on an error)
  --fail-on <severity>     ${SEVERITIES.join(" | ")} | never (default: failOn of the settings, high)
  --color, --no-color      Force colours in the text report on or off
  -h, --help               Show this help

Environment: ANTHROPIC_API_KEY (without it only the rules run), ANTHROPIC_BASE_URL,
DEFAULT_MODEL, MODEL_TIMEOUT_MS, MODEL_MAX_RETRIES, MODEL_MAX_OUTPUT_TOKENS,
CHUNK_INPUT_TOKENS, REVIEW_CONCURRENCY, and the budgets MAX_REVIEW_INPUT_TOKENS,
MAX_REVIEW_CHUNKS, MAX_REVIEW_SECONDS, MAX_REVIEW_COST_USD. MODEL_PROVIDER=bedrock,
vertex or foundry with that provider's settings (README, "Model providers").

Exit status: 0 when the check would pass, 1 when it would fail: a finding reaches
--fail-on, or the review did not cover every file in paths (the model failed, a
budget ran out, a file without a text diff) under the setting \`onIncomplete:
failure\` (the default; with \`neutral\` that exits 0, with a warning). When the
model fails, the report says why and on how many files only the rules ran.
2 on a usage or runtime error (not a git repository, unknown ref, invalid settings
or agent file), with a one-line message and no report.
`;

/** `backend-agent agents validate --help`. */
export const VALIDATE_HELP = `Usage: backend-agent agents validate [file]

Checks an agent definition (YAML front matter + markdown prompt) the way the App
reads it, and prints its name, model and the size of the system prompt the model
receives. Without [file]: the repository's .claude/agents/backend-agent.md when
there is one, else the agent shipped with backend-agent.

Exit status: 0 when the file is valid, 2 when it is not.
`;

/** `backend-agent config validate --help`. */
export const CONFIG_VALIDATE_HELP = `Usage: backend-agent config validate [file]

Checks a settings file with the App's own schema, as it would read it from the
default branch: one line per problem, \`file: key: message\` (\`file:line:col\` for
a YAML error). Without [file]: the repository's .github/backend-agent.yml in the
working tree, so it can be checked before it is committed.

Exit status: 0 when the file is valid, 1 when it is not, 2 when it cannot be read
or the command line is wrong.
`;

/** `backend-agent doctor --help`. */
export const DOCTOR_HELP = `Usage: backend-agent doctor [--config <file>]

Checks what the server needs, one line per check (✓ passed, ✗ failed, ! works
but see the note, - not checked), each failure with what to do:
  .env and env     read as \`npm start\` reads them (.env in the current directory
                   fills in what the environment leaves unset), validated; a value
                   that swallowed another variable (an \`echo >> .env\` onto a file
                   without a final newline) is found
  private key      PRIVATE_KEY or PRIVATE_KEY_PATH is an RSA PEM private key
  GitHub App       GET /app with the App's JWT (GHE_HOST/GHE_PROTOCOL honoured)
  model key        GET /v1/models with ANTHROPIC_API_KEY (free; no key: rules only)
  Redis            PING, when REDIS_URL is set
  DATA_DIR         writable, mode 0700, store 0600
  agent            AGENT_FILE (or the shipped agent) and a repository override
  repo config      .github/backend-agent.yml of the git repository here, or --config

Network checks give up after 5 s and name the host they tried. No secret is printed.
Run it from the directory the server starts in (npm run doctor in the checkout).

Options:
  --config <file>          Repository settings file to check
  -h, --help               Show this help

Exit status: 0 when no check failed, 1 when one did, 2 on a usage error.
`;
