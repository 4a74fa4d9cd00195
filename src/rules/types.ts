import type { FileDiff } from "../diff/types.js";
import type { Category, Severity, Side } from "../domain/findings.js";
import type { ProjectFacts } from "./project-facts.js";
import type { ReviewTrees } from "./python-tree.js";

/** Everything a rule may look at besides the file it checks. */
export interface RuleContext {
  /** All changed files of the pull request, so cross-file rules (model without migration) work. */
  files: FileDiff[];
  /** Syntax trees of the files' sides, parsed once per review. */
  trees: ReviewTrees;
  /** The project's settings and model bases, read once per review. */
  facts: ProjectFacts;
  /** Test code, where SQL built from strings or `exec` is harness, not a finding. */
  isTest(path: string): boolean;
  /** Per-review memo: `memo(key, build)` builds once per review (indexes over all files). */
  memo<T>(key: string, build: () => T): T;
}

/** Where a rule fired and what to say there; {@link runRules} turns it into a Finding. */
export interface RuleHit {
  /** Last line of the range on `side`; must be a line of the hunk GitHub accepts. */
  line: number;
  /** First line of a multi-line range, in the same hunk. */
  startLine?: number | undefined;
  /** RIGHT (default) for added/context lines; LEFT only for what a deleted line did. */
  side?: Side | undefined;
  /** Replaces the rule's generic title when the hit knows more (the variable name...). */
  title?: string | undefined;
  /** Markdown: the risk and the fix, 2-4 sentences. The rule id is appended for you. */
  body: string;
}

/** A deterministic check: changed files in, hits out, no I/O. */
export interface Rule {
  /** Stable id shown in the comment and used in `.github/backend-agent.yml`: `family/name`. */
  id: string;
  /** The file it lives in; a config key may switch a whole family off. */
  family: string;
  defaultSeverity: Severity;
  category: Category;
  /** Short generic title (≤ 80 chars) for docs and `help`. */
  title: string;
  /** Cheap path filter, so `check` only sees files it understands. */
  appliesTo(path: string): boolean;
  /** Test code is left out (the review's test globs): a finding there is harness, not risk. */
  skipsTests?: boolean | undefined;
  check(file: FileDiff, ctx: RuleContext): RuleHit[];
}
