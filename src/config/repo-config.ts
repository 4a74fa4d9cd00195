import { z } from "zod";
import { isRuleKey } from "../rules/rule-ids.js";
import { SEVERITIES } from "../domain/findings.js";

/** Path of the per-repository settings file, read from the default branch. */
export const REPO_CONFIG_PATH = ".github/backend-agent.yml";

const globList = z.array(z.string().min(1)).min(1);
const permission = z.enum(["admin", "maintain", "write", "triage", "read"]);

/**
 * `.github/backend-agent.yml`. Every key is optional: what the file leaves out
 * comes from the agent's front matter, then from {@link DEFAULT_SETTINGS}.
 * Unknown keys are errors so that a typo (`failon:`) is reported, not ignored.
 */
export const repoConfigSchema = z
  .object({
    paths: globList.describe("Globs of the files to review").optional(),
    testPaths: globList.describe("Globs of test code: the rules whose findings are noise there (SQL built from strings, `exec`) skip it").optional(),
    ignore: z.array(z.string().min(1)).describe("Globs the model skips even when they match `paths` (the rules and the secret scan still read them)").optional(),
    model: z.string().min(1).describe("Model alias (sonnet, opus, haiku) or full model id").optional(),
    failOn: z
      .enum([...SEVERITIES, "never"])
      .describe("Lowest severity that makes the check fail; `never` to only report")
      .optional(),
    onIncomplete: z
      .enum(["failure", "neutral"])
      .describe("Conclusion when files in `paths` went unreviewed (model down, refusal, budget or size limit, no patch) or the review could not run; `neutral` passes a required check")
      .optional(),
    onError: z
      .enum(["neutral", "failure"])
      .describe("Deprecated alias of `onIncomplete`, used only when `onIncomplete` is not set")
      .optional(),
    labels: z.boolean().describe("Keep `security: <level>` labels in sync").optional(),
    maxComments: z
      .number()
      .int()
      .min(0)
      .max(100)
      .describe("Most inline comments per review; the rest are listed in the summary")
      .optional(),
    drafts: z.boolean().describe("Review draft pull requests too").optional(),
    allowedCommenters: z
      .array(permission)
      .min(1)
      .describe("Repository permissions allowed to run slash commands")
      .optional(),
    allowAuthorDismiss: z
      .boolean()
      .describe("Let the PR's author dismiss findings on it (`ignore`, resolving a thread) and `skip` its incomplete check, when they have write permission")
      .optional(),
    reviewEvent: z
      .enum(["COMMENT", "REQUEST_CHANGES"])
      .describe("Review event when a finding reaches `failOn` (the bot never approves)")
      .optional(),
    minConfidence: z.number().min(0).max(1).describe("Model findings below this confidence are dropped").optional(),
    rules: z
      .record(
        z.string().refine(isRuleKey, { message: "is not a rule id or family (see the README's rule list)" }),
        z.enum(["off", ...SEVERITIES]),
      )
      .describe("Rule id or family → `off` or a severity")
      .optional(),
    confirmRules: z
      .boolean()
      .describe("With a model: send the rules' hits (secrets aside) to it as candidates; one it rejects is listed, collapsed, in the summary instead of posted. `false`: post every rule hit")
      .optional(),
    tools: z.boolean().describe("Let the model read the head commit's files (read_file, grep, glob) while it reviews; `false` sends the diff only").optional(),
    instructions: z
      .array(
        z
          .object({
            paths: globList.describe("Globs of the files the text is about"),
            text: z.string().min(1).max(4_000).describe("Instructions for the model, added to the requests whose files match"),
          })
          .strict(),
      )
      .max(20)
      .describe("Path-scoped review instructions: `[{ paths: [globs], text }]`, added to the requests whose files match `paths`")
      .optional(),
  })
  .strict();

/** The file's content after validation. */
export type RepoConfig = z.infer<typeof repoConfigSchema>;

/** Settings in force for one review: defaults, then the agent's keys, then the repo's file. */
export type ReviewSettings = Required<Omit<RepoConfig, "model" | "onError">> & { model?: string | undefined };

/** Built-in defaults, documented in the README's configuration table. */
export const DEFAULT_SETTINGS: ReviewSettings = {
  paths: ["backend/**"],
  testPaths: [
    "**/{test,tests,testing,__tests__,fixtures,testdata,test_data}/**",
    "**/{test_*,*_test,*_tests,tests,test,testing,conftest,factories}.py",
  ],
  ignore: [],
  failOn: "high",
  onIncomplete: "failure",
  labels: true,
  maxComments: 25,
  drafts: false,
  allowedCommenters: ["admin", "maintain", "write"],
  allowAuthorDismiss: false,
  reviewEvent: "COMMENT",
  minConfidence: 0.7,
  rules: {},
  confirmRules: true,
  tools: true,
  instructions: [],
};

/** One thing wrong with the settings file, for the check-run table. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** Validates parsed YAML; problems are listed rather than thrown. */
export function parseRepoConfig(raw: unknown): { config: RepoConfig } | { problems: ConfigProblem[] } {
  const result = repoConfigSchema.safeParse(raw ?? {});
  if (result.success) return { config: result.data };
  return {
    problems: result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ key, message: "unknown setting" }))
        : [{ key: issue.path.join(".") || "(file)", message: issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message }],
    ),
  };
}

/**
 * Layers the settings: defaults ← agent front matter ← repository file. Within a
 * layer, the deprecated `onError` stands in for an unset `onIncomplete`, so a repo
 * that chose `onError: neutral` keeps its choice; a layer without either inherits.
 */
export function effectiveSettings(...layers: RepoConfig[]): ReviewSettings {
  const settings: ReviewSettings = { ...DEFAULT_SETTINGS };
  for (const { onError, ...layer } of layers) {
    if (layer.onIncomplete === undefined && onError !== undefined) layer.onIncomplete = onError;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) Object.assign(settings, { [key]: value });
    }
  }
  return settings;
}
