/**
 * Celery tasks doing network I/O with no retry policy. Low severity: nothing is
 * insecure, but a timeout or a 503 from the other side silently drops the work.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython, isTestPath } from "./paths.js";
import { changedLines, changeMentions, inHunk } from "./diff-lines.js";
import { calleeText, keywordArg, kids, lineOf, nodesOf, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "celery";

/** `@shared_task`, `@app.task`, `@celery_app.task(...)`; not `@task` (invoke, fabric use that name too). */
const TASK_DECORATOR = /^(?:shared_task|\w+\.task)$/;
/** Callees that go over the network. */
const NETWORK_CALL =
  /(?:^|\.)(?:requests\.(?:get|post|put|patch|delete|head|request)|httpx\.(?:get|post|put|patch|delete|head|request|Client|AsyncClient)|urlopen|urllib3\.\w+|aiohttp\.ClientSession|boto3\.(?:client|resource)|smtplib\.SMTP|send_mail)$/;

/** The Celery task decorator of a decorated definition (any position among its decorators), with its call if it has options. */
function taskDecorator(def: Node): { decorator: Node; call?: Node | undefined } | undefined {
  for (const decorator of kids(def).filter((d) => d.type === "decorator")) {
    const expr = kids(decorator)[0];
    const call = expr?.type === "call" ? expr : undefined;
    const name = (call ? call.childForFieldName("function") : expr)?.text.replace(/\s+/g, "") ?? "";
    if (TASK_DECORATOR.test(name)) return { decorator, call };
  }
  return undefined;
}

const noRetry: Rule = {
  id: `${FAMILY}/no-retry-network`,
  family: FAMILY,
  defaultSeverity: "low",
  category: "bug",
  title: "Celery task does network I/O without a retry policy",
  appliesTo: (path) => isPython(path) && !isTestPath(path),
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /task|requests|httpx|urlopen|urllib3|aiohttp|boto3|smtplib|send_mail/)) return [];
    const changed = changedLines(file);
    return nodesOf(ctx.trees.get(file, "new")?.rootNode, "decorated_definition").flatMap((decorated): RuleHit[] => {
      const task = taskDecorator(decorated);
      const def = decorated.childForFieldName("definition");
      // A retry policy in the decorator, or a custom base class that may carry one.
      if (!task || def?.type !== "function_definition" || (task.call && (keywordArg(task.call, "autoretry_for") || keywordArg(task.call, "base")))) return [];
      const calls = nodesOf(def.childForFieldName("body"), "call");
      const network = calls.find((c) => NETWORK_CALL.test(calleeText(c)));
      if (!network || calls.some((c) => calleeText(c).endsWith(".retry"))) return [];
      const [from, head] = [lineOf(task.decorator), lineOf(def)];
      let touched: number | undefined;
      for (let n = from; n <= head && touched === undefined; n++) if (changed.has(n)) touched = n;
      if (touched === undefined && !changed.has(lineOf(network))) return [];
      const name = def.childForFieldName("name")?.text ?? "task";
      // On the task's head; when that is not all in the hunks (full sources), on the changed line.
      const place = inHunk(file, from) && inHunk(file, head) ? { startLine: from, line: head } : { line: touched ?? lineOf(network) };
      return [
        {
          ...place,
          title: `Celery task \`${name}\` calls the network without retries`,
          body:
            `\`${name}\` makes a network call (line ${lineOf(network)}) but has no \`autoretry_for\` and never calls ` +
            "`self.retry()`, so one timeout or 5xx loses the work for good. Add e.g. " +
            "`@shared_task(bind=True, autoretry_for=(requests.RequestException,), retry_backoff=True, max_retries=5)`, " +
            "make the task idempotent, and set an explicit `timeout=` on the call.",
        },
      ];
    });
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
