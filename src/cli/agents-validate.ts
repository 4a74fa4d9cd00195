import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadBundledAgent, resolveAgent, type AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { estimateTokens } from "../diff/chunk.js";
import { resolveModel, type ModelEnvKey } from "../engine/models.js";
import { buildSystem } from "../engine/prompt.js";
import { repoRoot } from "./git.js";
import { BUNDLED_AGENT_FILE, loadAgentFile } from "./load-inputs.js";

const n = (value: number) => value.toLocaleString("en-US");

/**
 * Without a file: the repository's `.claude/agents/<name>.md` from the working
 * tree (so it can be checked before it is committed), held to the App's rule that
 * it keeps the bundled agent's name; outside a repository, or without one, the
 * bundled agent.
 */
async function defaultAgent(cwd: string): Promise<{ agent: AgentDefinition; file: string }> {
  const bundled = await loadBundledAgent(BUNDLED_AGENT_FILE);
  const root = await repoRoot(cwd).catch(() => undefined);
  if (root === undefined) return { agent: bundled, file: BUNDLED_AGENT_FILE };
  const read = (path: string) => readFile(join(root, path), "utf8").catch(() => undefined);
  const agent = await resolveAgent(bundled, read, (path) => path);
  return { agent, file: agent === bundled ? BUNDLED_AGENT_FILE : agent.source };
}

/**
 * `backend-agent agents validate [file]`: parses the agent as the App does (a
 * broken file throws a one-line {@link UserFacingError}) and describes it: name,
 * model as the API will see it, and the size of the system prompt the model gets
 * (the engine's instructions wrapped around the agent's prompt).
 */
export async function validateAgent(file: string | undefined, cwd: string, env: Pick<Env, "DEFAULT_MODEL" | ModelEnvKey>): Promise<string> {
  const { agent, file: checked } = file === undefined ? await defaultAgent(cwd) : { agent: await loadAgentFile(file), file };
  const model = agent.model === "inherit" ? `inherit → ${resolveModel(env.DEFAULT_MODEL, "sonnet", env)} (DEFAULT_MODEL)` : `${agent.model} → ${resolveModel(agent.model, env.DEFAULT_MODEL, env)}`;
  const system = buildSystem(agent).map((block) => block.text).join("\n");
  const settings = Object.entries(agent.settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return [
    `ok: ${checked}`,
    `  name      ${agent.name}`,
    `  model     ${model}`,
    `  prompt    ${n(agent.prompt.length)} characters; system prompt sent to the model ${n(system.length)} characters (~${n(estimateTokens(system))} tokens)`,
    `  settings  ${settings.length ? settings.join(", ") : "(none: the repository's settings and the defaults apply)"}`,
    ...(agent.warning ? [`  warning   ${agent.warning}`] : []),
    "",
  ].join("\n");
}
