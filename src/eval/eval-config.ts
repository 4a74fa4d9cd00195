/**
 * One reviewer configuration to measure (`eval --config a.yml --config b.yml`): the
 * keys of `.github/backend-agent.yml` that change what is found, plus the layers
 * to run. Each configuration reviews the same cases; the table sets them side by side.
 */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { DEFAULT_SETTINGS, parseRepoConfig, repoConfigSchema } from "../config/repo-config.js";
import { UserFacingError } from "../errors.js";

const schema = z
  .object({
    name: z.string().min(1).max(40).optional().describe("Label in the table (default: the file name)"),
    model: repoConfigSchema.shape.model,
    minConfidence: repoConfigSchema.shape.minConfidence,
    // A map is checked against the settings file's own schema below, so its errors name the rule.
    rules: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional().describe("false: the deterministic rules' findings are left out; a map: rule id or family → off or a severity"),
    modelReview: z.boolean().optional().describe("false: the model is not asked (the rules alone)"),
    tools: z.boolean().optional().describe("Repository reads by the model on or off: the settings file's `tools`, where this build has it"),
    confirmRules: z.boolean().optional().describe("The model confirms or rejects the rules' hits (the settings file's `confirmRules`); off unless set, as the committed cassette was recorded"),
  })
  .strict();

/** A configuration, defaults filled in. */
export interface EvalConfig {
  name: string;
  /** Alias or id; undefined: the agent's, then DEFAULT_MODEL. */
  model?: string | undefined;
  minConfidence: number;
  rules: boolean;
  /** Rule id or family → off or a severity, written into the case's settings file. */
  ruleSettings: Record<string, string>;
  modelReview: boolean;
  /** The settings file's `tools`; undefined: the reviewer's default. */
  tools?: boolean | undefined;
  /** The rules' hits go to the model as candidates; undefined: off (the committed cassette predates it). */
  confirmRules?: boolean | undefined;
}

/** Whether this build's settings file has a `tools` key (the reviewer's repository reads). */
const HAS_TOOLS = "tools" in repoConfigSchema.shape;

/** What `--rules-only` (and a run without `--config`) measures. */
export const RULES_ONLY: EvalConfig = { name: "rules-only", minConfidence: DEFAULT_SETTINGS.minConfidence, rules: true, ruleSettings: {}, modelReview: false };

/** The shipped defaults: model and rules, `minConfidence` 0.7. */
export const DEFAULT_CONFIG: EvalConfig = { ...RULES_ONLY, name: "default", modelReview: true };

/** Reads a configuration file; a mistake is a {@link UserFacingError} naming file and key. */
export async function loadEvalConfig(file: string): Promise<EvalConfig> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserFacingError(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split("\n")[0]}`, undefined, { cause: error });
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : issue?.path.join(".");
    throw new UserFacingError(`${file}: ${key || "(file)"}: ${issue?.code === "unrecognized_keys" ? "unknown key (name, model, minConfidence, rules, modelReview, tools, confirmRules)" : issue?.message}`);
  }
  const checked = typeof parsed.data.rules === "object" ? parseRepoConfig({ rules: parsed.data.rules }) : undefined;
  if (checked && "problems" in checked) throw new UserFacingError(`${file}: ${checked.problems[0]?.key}: ${checked.problems[0]?.message}`);
  const c = parsed.data;
  if (c.tools !== undefined && !HAS_TOOLS) throw new UserFacingError(`${file}: tools: this build's reviewer has no tools setting`);
  return {
    name: c.name ?? basename(file, extname(file)),
    model: c.model,
    minConfidence: c.minConfidence ?? DEFAULT_SETTINGS.minConfidence,
    rules: c.rules !== false,
    ruleSettings: typeof c.rules === "object" ? (c.rules as Record<string, string>) : {},
    modelReview: c.modelReview !== false,
    tools: c.tools,
    confirmRules: c.confirmRules,
  };
}
