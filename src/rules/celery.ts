/**
 * Celery tasks doing network I/O with no retry policy. Low severity: nothing is
 * insecure, but a timeout or a 503 from the other side silently drops the work.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython, isTestPath } from "./paths.js";
import { bracketSpan } from "./python-expr.js";
import { blockAfter, fileCodeLines, type CodeLine } from "./python-source.js";
import { calleeText, changedLines, changeMentions, kids, lineOf, nodesOf, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "celery";

/** `@shared_task`, `@app.task`, `@celery_app.task(...)`; not `@task` (invoke, fabric use that name too). */
const TASK_DECORATOR = /^\s*@(?:shared_task|\w+\.task)\b\s*(\()?/;
const NETWORK_CALL =
  /\b(?:requests\.(?:get|post|put|patch|delete|head|request)|httpx\.(?:get|post|put|patch|delete|head|request|Client|AsyncClient)|urlopen|urllib3\.|aiohttp\.ClientSession|boto3\.(?:client|resource)|smtplib\.SMTP|send_mail)\s*\(/;
/** A retry policy in the decorator, or a custom base class that may carry one. */
const RETRY_OPTIONS = /\b(?:autoretry_for|base)\s*=/;

function decoratorOptions(lines: readonly CodeLine[], at: number): { text: string; last: number } {
  const line = lines[at];
  const m = line && TASK_DECORATOR.exec(line.code);
  if (!m?.[1]) return { text: "", last: at };
  const span = bracketSpan(lines, at, m[0].length - 1);
  return { text: span.inner.code, last: span.lastLine };
}

const noRetry: Rule = {
  id: `${FAMILY}/no-retry-network`,
  family: FAMILY,
  defaultSeverity: "low",
  category: "bug",
  title: "Celery task does network I/O without a retry policy",
  appliesTo: (path) => isPython(path) && !isTestPath(path),
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const lines of fileCodeLines(file, ctx.trees)) {
      lines.forEach((deco, at) => {
        if (!TASK_DECORATOR.test(deco.code)) return;
        const options = decoratorOptions(lines, at);
        // Further decorators may sit between the task decorator and the def.
        let defAt = options.last + 1;
        while (lines[defAt] && /^\s*@/.test(lines[defAt]?.code ?? "")) defAt++;
        const def = lines[defAt];
        if (!def || !/^\s*(?:async\s+)?def\s+(\w+)/.test(def.code) || RETRY_OPTIONS.test(options.text)) return;
        const body = blockAfter(lines, defAt);
        const network = body.find((l) => NETWORK_CALL.test(l.code));
        if (!network || body.some((l) => /\.retry\s*\(/.test(l.code))) return;
        if (!lines.slice(at, defAt + 1).some((l) => l.added) && !network.added) return;
        const name = /def\s+(\w+)/.exec(def.code)?.[1] ?? "task";
        hits.push({
          startLine: deco.line,
          line: def.line,
          title: `Celery task \`${name}\` calls the network without retries`,
          body:
            `\`${name}\` makes a network call (line ${network.line}) but has no \`autoretry_for\` and never calls ` +
            "`self.retry()`, so one timeout or 5xx loses the work for good. Add e.g. " +
            "`@shared_task(bind=True, autoretry_for=(requests.RequestException,), retry_backoff=True, max_retries=5)`, " +
            "make the task idempotent, and set an explicit `timeout=` on the call.",
        });
      });
    }
    return hits;
  },
};

/** Inside `with transaction.atomic():` or a function decorated with `@transaction.atomic`. */
function inAtomic(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "with_statement" && kids(p).some((c) => c.type === "with_clause" && /\batomic\b/.test(c.text))) return true;
    if (p.type === "decorated_definition" && kids(p).some((d) => d.type === "decorator" && /^@(?:\w+\.)*atomic\b/.test(d.text))) return true;
    // A callback handed to on_commit runs after the commit: that is the fix.
    if (p.type === "call" && /on_commit$/.test(calleeText(p))) return false;
  }
  return false;
}

const enqueueInAtomic: Rule = {
  id: `${FAMILY}/enqueue-in-transaction`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "bug",
  title: "Celery task enqueued inside a transaction without `on_commit`",
  appliesTo: (path) => isPython(path) && !isTestPath(path),
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /\.(?:delay|apply_async)\b/)) return [];
    const changed = changedLines(file);
    return nodesOf(ctx.trees.get(file, "new")?.rootNode, "call").flatMap((call): RuleHit[] => {
      const m = /^([\w.]+)\.(delay|apply_async)$/.exec(calleeText(call));
      if (!m?.[1] || !changed.has(lineOf(call)) || !inAtomic(call)) return [];
      return [
        {
          line: lineOf(call),
          title: `\`${m[1]}.${m[2]}()\` inside \`transaction.atomic\``,
          body:
            `The task is queued before the transaction commits: a worker can pick it up first and not find the rows, or ` +
            "run for data that is then rolled back. Queue it after the commit: " +
            `\`transaction.on_commit(lambda: ${m[1]}.${m[2]}(...))\` (or \`delay_on_commit\` on Celery 5.4+).`,
        },
      ];
    });
  },
};

/** The Celery family. */
export const CELERY_RULES: readonly Rule[] = [noRetry, enqueueInAtomic];
