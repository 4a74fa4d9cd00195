/**
 * What steers a local review, loaded as the App loads it: the environment's model
 * knobs, `.github/backend-agent.yml` and the agent definition. The files that steer
 * the bot come from the base commit, as the App reads them from the default branch,
 * so a change under review cannot loosen its own review.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { loadBundledAgent, parseAgent, resolveAgent, type AgentDefinition } from "../agents/load-agent.js";
import { loadEnv, type Env } from "../config/env.js";
import { PROVIDER_VARIABLES } from "../engine/providers/provider-settings.js";
import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import { messageOf, UserFacingError } from "../errors.js";
import { showFile } from "./git.js";

/** The agent shipped with the package: two levels up from `src/cli/` and from `dist/cli/` alike. */
export const BUNDLED_AGENT_FILE = fileURLToPath(new URL("../../agents/backend-agent.md", import.meta.url));

/** The variables the CLI reads; the App's own (APP_ID, PORT, ...) mean nothing here and are not checked. */
const CLI_ENV = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  ...PROVIDER_VARIABLES,
  "DEFAULT_MODEL",
  "REVIEW_CONCURRENCY",
  "MODEL_TIMEOUT_MS",
  "MODEL_MAX_RETRIES",
  "MODEL_MAX_OUTPUT_TOKENS",
  "CHUNK_INPUT_TOKENS",
  "MAX_REVIEW_INPUT_TOKENS",
  "MAX_REVIEW_CHUNKS",
  "MAX_REVIEW_SECONDS",
  "MAX_REVIEW_COST_USD",
  "TOOL_MAX_TURNS",
  "TOOL_TOKEN_BUDGET",
] as const;

/** The environment, validated by the App's own schema; a bad value is a one-line error. */
export function loadCliEnv(source: Record<string, string | undefined> = process.env): Env {
  try {
    return loadEnv(Object.fromEntries(CLI_ENV.map((name) => [name, source[name]])));
  } catch (error) {
    throw new UserFacingError(messageOf(error), undefined, { cause: error });
  }
}

const short = (commit: string) => commit.slice(0, 7);
const firstLine = (text: string) => text.split("\n")[0] ?? text;

/**
 * `.github/backend-agent.yml` at `commit`, validated like the App's (a missing file
 * is an empty config). Probot's `_extends` (inheriting from another repository)
 * cannot be followed without GitHub: the key is dropped and `note` says so.
 */
export async function loadRepoConfig(root: string, commit: string, note: (line: string) => void): Promise<RepoConfig> {
  const where = `${REPO_CONFIG_PATH} at ${short(commit)}`;
  const text = await showFile(root, commit, REPO_CONFIG_PATH);
  if (text === undefined) return {};
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (error) {
    throw new UserFacingError(`${where} is not valid YAML: ${firstLine(messageOf(error))}`, undefined, { cause: error });
  }
  if (typeof raw === "object" && raw !== null && "_extends" in raw) {
    note(`${where} uses _extends, which only the App can follow: the local review uses this file's own settings.`);
    const { _extends: _dropped, ...own } = raw as Record<string, unknown>;
    raw = own;
  }
  const result = parseRepoConfig(raw);
  if ("problems" in result) {
    throw new UserFacingError(`${where} is invalid: ${result.problems.map((p) => `${p.key}: ${p.message}`).join("; ")}`);
  }
  return result.config;
}

/** Reads an agent file the user named; a missing or broken file is a one-line error. */
export async function loadAgentFile(path: string): Promise<AgentDefinition> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UserFacingError(`cannot read the agent file ${path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`, undefined, { cause: error });
  }
  return parseAgent(text, path);
}

/**
 * The agent of a local review: the file given with `--agent` as it is, else the
 * repository's `.claude/agents/<name>.md` at `commit` when it has one, else the
 * bundled agent — the App's rule with the base commit for the default branch.
 */
export async function loadReviewAgent(root: string, commit: string, agentFile: string | undefined): Promise<AgentDefinition> {
  if (agentFile !== undefined) return loadAgentFile(agentFile);
  const bundled = await loadBundledAgent(BUNDLED_AGENT_FILE);
  return resolveAgent(
    bundled,
    (path) => showFile(root, commit, path),
    (path) => `${path} at ${short(commit)}`,
  );
}
