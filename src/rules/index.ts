/**
 * The deterministic rule layer: every rule, and the one function the review
 * pipeline calls. Pure — parsed file diffs in, findings out — so the same
 * findings come back every run, without the model, and cost nothing.
 */
import type { FileDiff } from "../diff/types.js";
import { SEVERITIES, type Finding, type Severity } from "../domain/findings.js";
import { AUTH_SETTINGS_RULES } from "./auth-settings.js";
import { CELERY_RULES } from "./celery.js";
import { CELERY_TENANT_RULES } from "./celery-tenant.js";
import { CODE_EXECUTION_RULES } from "./code-execution.js";
import { DRF_RULES } from "./drf.js";
import { EXPOSURE_RULES } from "./exposure.js";
import { MIGRATION_RULES } from "./migrations.js";
import { SECRET_HANDLING_RULES } from "./secret-handling.js";
import { SECRET_RULES } from "./secrets.js";
import { SQL_INJECTION_RULES } from "./sql-injection.js";
import { TEMPLATING_RULES } from "./templating.js";
import { TENANT_RULES } from "./tenants.js";
import { isMigration, isModelsFile, isSettingsFile, isTestPath } from "./paths.js";
import { readProjectFacts } from "./project-facts.js";
import { ReviewTrees, type FileSources } from "./python-tree.js";
import type { Rule, RuleContext } from "./types.js";
import picomatch from "picomatch";

export type { Rule, RuleContext, RuleHit } from "./types.js";
export type { FileSources } from "./python-tree.js";

/** What a review may give the rules besides the diff; all optional. */
export interface RuleOptions {
  /**
   * Full file contents by path (head and base), e.g. from the head snapshot: rules
   * then read whole files and the project's settings instead of the hunks alone.
   */
  sources?: ReadonlyMap<string, FileSources> | undefined;
  /** Globs of test code (`.github/backend-agent.yml` `testPaths`); the built-in list when absent. */
  testPaths?: readonly string[] | undefined;
}

/** Per-repo overrides from `.github/backend-agent.yml` `rules:` — rule id or family → "off" or a severity. */
export type RulesConfig = Record<string, "off" | Severity>;

/** The registry, in the order findings are reported, for docs and `help`. */
export const RULES: readonly Rule[] = [
  ...SECRET_RULES,
  ...SECRET_HANDLING_RULES,
  ...CODE_EXECUTION_RULES,
  ...SQL_INJECTION_RULES,
  ...TEMPLATING_RULES,
  ...AUTH_SETTINGS_RULES,
  ...DRF_RULES,
  ...EXPOSURE_RULES,
  ...TENANT_RULES,
  ...MIGRATION_RULES,
  ...CELERY_RULES,
  ...CELERY_TENANT_RULES,
];

export { isRuleKey, RULE_FAMILIES } from "./rule-ids.js";

/** The severity a rule reports at under `config`, or `"off"`. A rule id beats its family. */
export function effectiveSeverity(rule: Rule, config: RulesConfig = {}): "off" | Severity {
  const own = config[rule.id] ?? config[rule.family];
  return own === "off" || (own !== undefined && (SEVERITIES as readonly string[]).includes(own)) ? own : rule.defaultSeverity;
}

const TITLE_MAX = 80;

function clip(title: string): string {
  return title.length <= TITLE_MAX ? title : `${title.slice(0, TITLE_MAX - 1)}…`;
}

/**
 * Runs every enabled rule over the changed files of a pull request. Run it on the
 * UNREDACTED diff (secrets must be visible to be found); the findings never quote
 * a secret. One finding per rule and line; sorted by path, then line.
 */
export function runRules(files: FileDiff[], config: RulesConfig = {}, options: RuleOptions = {}): Finding[] {
  const trees = new ReviewTrees(options.sources);
  try {
    const memos = new Map<string, unknown>();
    const memo = <T>(key: string, build: () => T): T => {
      if (!memos.has(key)) memos.set(key, build());
      return memos.get(key) as T;
    };
    const ctx: RuleContext = { files, trees, facts: readProjectFacts(files, trees, options.sources), isTest: testMatcher(options.testPaths), memo };
    return findingsOf(files, config, ctx);
  } finally {
    trees.dispose();
  }
}

/** Test code: the configured globs, or the built-in test directories and file names. */
function testMatcher(globs: readonly string[] | undefined): (path: string) => boolean {
  if (!globs) return isTestPath;
  const match = picomatch([...globs], { dot: true });
  return (path) => match(path);
}

/** Modules other files' rules read (indexes of models, an app's migrations, the settings): their trees stay for the whole review. */
const isSharedModule = (path: string): boolean => isModelsFile(path) || isMigration(path) || isSettingsFile(path);

function findingsOf(files: FileDiff[], config: RulesConfig, ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (file.hunks.length === 0) continue;
    const isTest = ctx.isTest(file.path);
    for (const rule of RULES) {
      const severity = effectiveSeverity(rule, config);
      if (severity === "off" || (rule.skipsTests && isTest) || !rule.appliesTo(file.path)) continue;
      for (const hit of rule.check(file, ctx)) {
        const side = hit.side ?? "RIGHT";
        const key = `${rule.id}\0${file.path}\0${side}\0${hit.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({
          path: file.path,
          line: hit.line,
          startLine: hit.startLine !== undefined && hit.startLine < hit.line ? hit.startLine : undefined,
          side,
          severity,
          category: rule.category,
          title: clip(hit.title ?? rule.title),
          body: `${hit.body}\n\n_Rule \`${rule.id}\`._`,
          confidence: 1,
          source: `rule:${rule.id}`,
        });
      }
    }
    // Models, migrations and settings are read again for other files (cross-file rules); the rest is done with.
    ctx.trees.release((f) => isSharedModule(f.path));
  }
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}
