import { REPO_CONFIG_PATH, type ConfigProblem, type ReviewSettings } from "../config/repo-config.js";
import { cell } from "../review/format.js";
import { asBlockquote, codeSpan, htmlText, neutralise, neutraliseInline } from "../review/neutralise.js";

/** What the help reply shows besides the commands. */
export interface HelpContext {
  agentName: string;
  /** Where the agent came from ("bundled" or the repo's file). */
  agentSource: string;
  /** The model reviews use, as configured (alias or id). */
  model: string;
  settings: ReviewSettings;
  defaultBranch: string;
  /** Problems of the repo's settings file; the settings shown are then the defaults. */
  configProblems: ConfigProblem[];
  /** Other reasons the settings shown may not be what the repo meant (a broken agent file). */
  notes: string[];
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.map((v) => cell(codeSpan(String(v)))).join(", ") : "—";
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => cell(codeSpan(`${k}: ${String(v)}`))).join(", ") : "—";
  }
  return cell(codeSpan(String(value)));
}

/** The commands of `name`, one table row each. */
export function commandTable(name: string): string {
  return [
    "| Command | What it does |",
    "|---|---|",
    `| \`/${name}\` or \`/${name} review\` | Full review of the current head: inline comments, \`security:\` label, \`${name}\` check |`,
    `| \`/${name} security\` | Security-only pass (authentication, authorization, injection, secrets, tenant isolation, unsafe deserialisation and templating), reported on the \`${name} (security)\` check |`,
    `| \`/${name} ask <question>\` | Answers in a comment, from this pull request's reviewed diff |`,
    `| \`/${name} ignore\` | In reply to one of its review comments: that finding is never raised again on this pull request and no longer counts toward the check and label |`,
    `| \`/${name} skip <reason>\` | Write, maintain or admin permission only: passes this commit's \`${name}\` check when the review could not cover every file (never over findings); who and why is recorded on the check |`,
    `| \`/${name} help\` | This message |`,
  ].join("\n");
}

/**
 * The help reply: the commands, who may run them, how to re-run the check, and
 * the settings in force for this repository.
 */
export function renderHelp(ctx: HelpContext): string {
  const { settings, agentName: name } = ctx;
  const rows: Array<[string, unknown]> = [
    ["paths", settings.paths],
    ["ignore", settings.ignore],
    ["model", ctx.model],
    ["failOn", settings.failOn],
    ["onIncomplete", settings.onIncomplete],
    ["labels", settings.labels],
    ["maxComments", settings.maxComments],
    ["drafts", settings.drafts],
    ["allowedCommenters", settings.allowedCommenters],
    ["reviewEvent", settings.reviewEvent],
    ["minConfidence", settings.minConfidence],
    ["rules", settings.rules],
  ];
  const problems = ctx.configProblems.length
    ? [`> [!WARNING]\n> \`${REPO_CONFIG_PATH}\` on ${codeSpan(ctx.defaultBranch)} is invalid, so reviews do not run until it is fixed; the defaults are shown.`, ...ctx.configProblems.map((p) => `> - ${codeSpan(p.key)}: ${neutraliseInline(p.message)}`)].join("\n")
    : "";
  return [
    `**${name}** commands, for users with ${settings.allowedCommenters.map((r) => `\`${r}\``).join(", ")} permission on this repository:`,
    commandTable(name),
    `In a review-comment thread, \`/${name} <question>\` answers in the thread about that hunk. The check's **Re-run** and **Re-run review** buttons review the commit again.`,
    problems,
    ...ctx.notes.map((n) => `> [!NOTE]\n${asBlockquote(neutralise(n))}`),
    `<details><summary>Settings in force (<code>${REPO_CONFIG_PATH}</code> on <code>${htmlText(ctx.defaultBranch)}</code>, agent: ${htmlText(ctx.agentSource)})</summary>\n\n| Setting | Value |\n|---|---|\n${rows.map(([k, v]) => `| \`${k}\` | ${show(v)} |`).join("\n")}\n\n</details>`,
  ].filter((part) => part !== "").join("\n\n");
}
