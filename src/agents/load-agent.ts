import YAML from "yaml";
import { z } from "zod";
import { repoConfigSchema } from "../config/repo-config.js";
import { UserFacingError } from "../errors.js";

/**
 * Front matter of a Claude Code subagent file. Claude Code's own keys plus the
 * optional review keys a repo config can also set (`paths`, `failOn`, ...).
 */
export const agentFrontMatterSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,38}$/, "must be lowercase letters, digits and dashes (it names the check and the command)"),
    description: z.string().min(1),
    model: z.string().min(1).default("inherit"),
    color: z.string().optional(),
    tools: z.unknown().optional(),
  })
  // `tools` is Claude Code's key here (a list of tool names), not the config's on/off switch.
  .extend(repoConfigSchema.omit({ model: true, tools: true }).shape);

/** A parsed agent definition. */
export interface AgentDefinition {
  name: string;
  description: string;
  /** As written: an alias or a full id (`inherit` when absent). */
  model: string;
  /** The markdown body: the agent's system prompt. */
  prompt: string;
  /** Review keys from the front matter, layered under the repo config. */
  settings: z.infer<typeof repoConfigSchema>;
  /** Where it came from, for the summary: "bundled" or "owner/repo@branch:path". */
  source: string;
  /** Set when the front matter needed the lenient reading. */
  warning?: string | undefined;
  /** The front matter's `tools:` as written (Claude Code's names); absent means every tool. See `toolsForAgent`. */
  tools?: unknown;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
/** The value runs to the end of the line; trailing blanks are trimmed in code (`.*\S[ \t]*$` backtracked quadratically). */
const PLAIN_PAIR = /^([A-Za-z_][\w-]*):[ \t]+(?!["'[{|>&*!#])(?=\S)(.*)$/;

function trimBlanks(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  return text.slice(0, end);
}

/**
 * Claude Code accepts front matter whose one-line values are not valid YAML
 * (`description: ... user: "..."`), and the user's own file is written that way.
 * Such top-level one-line plain values are read as literal strings; everything
 * else (lists, quoted and block scalars) still goes through the YAML library.
 */
function parseLenient(text: string): unknown {
  const quoted = text
    .split(/\r?\n/)
    .map((line) => {
      const match = PLAIN_PAIR.exec(line);
      return match ? `${match[1]}: ${JSON.stringify(trimBlanks(match[2] ?? ""))}` : line;
    })
    .join("\n");
  return YAML.parse(quoted);
}

function parseFrontMatter(text: string, source: string): { data: unknown; warning?: string } {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length === 0) return { data: doc.toJS() };
  try {
    return {
      data: parseLenient(text),
      warning: "front matter is not strict YAML; one-line values were read as plain text, as Claude Code does",
    };
  } catch (error) {
    const first = doc.errors[0];
    throw new UserFacingError(`The agent definition ${source} has invalid front matter: ${first?.message.split("\n")[0]}`, undefined, { cause: error });
  }
}

/** Parses and validates an agent definition file's text. */
export function parseAgent(text: string, source: string): AgentDefinition {
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    throw new UserFacingError(`The agent definition ${source} has no YAML front matter (a block between --- lines).`);
  }
  const { data, warning } = parseFrontMatter(match[1] ?? "", source);
  const result = agentFrontMatterSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `\`${issue.path.join(".")}\` ${issue.message}`);
    throw new UserFacingError(`The agent definition ${source} is invalid: ${problems.join("; ")}`);
  }
  const { name, description, model, color: _color, tools, ...settings } = result.data;
  const prompt = text.slice(match[0].length).trim();
  if (!prompt) throw new UserFacingError(`The agent definition ${source} has an empty prompt.`);
  return { name, description, model, prompt, settings, source, warning, ...(tools === undefined ? {} : { tools }) };
}

/** Reads and parses the agent file shipped with the app. */
export async function loadBundledAgent(path: string): Promise<AgentDefinition> {
  const { readFile } = await import("node:fs/promises");
  return parseAgent(await readFile(path, "utf8"), "bundled");
}

/**
 * The agent for one repository: its own `.claude/agents/<name>.md` when the
 * repository has one on its default branch (read by `readDefaultBranchFile`,
 * never from the PR head, which the PR author controls), else the bundled one.
 */
export async function resolveAgent(
  bundled: AgentDefinition,
  readDefaultBranchFile: (path: string) => Promise<string | undefined>,
  describe: (path: string) => string,
): Promise<AgentDefinition> {
  const path = `.claude/agents/${bundled.name}.md`;
  const text = await readDefaultBranchFile(path);
  if (text === undefined) return bundled;
  const agent = parseAgent(text, describe(path));
  if (agent.name !== bundled.name) {
    throw new UserFacingError(`${describe(path)} names the agent \`${agent.name}\`; it must be \`${bundled.name}\` to override the bundled agent.`);
  }
  return agent;
}
