/**
 * Celery tasks that lose the tenant: a worker starts in the public schema (or
 * with no organisation), so a task that queries tenant models must be told which
 * tenant, and enter it (`schema_context`, `tenant_context`), or use a tenant-aware
 * task base (tenant-schemas-celery). Fires only where the project is known, or
 * visibly is, multi-tenant.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython } from "./paths.js";
import { changedLines, changeMentions } from "./diff-lines.js";
import { calleeText, kids, lineOf, nodesOf, positionalArgs, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const TASK_DECORATOR = /^@(?:shared_task|\w+\.task)\b/;
/** Entering a tenant, or a task base that carries it. */
const TENANT_CONTEXT = /\b(?:schema_context|tenant_context|set_tenant|set_schema(?:_to_public)?|activate_tenant|TenantTask|tenant_task)\b/;
/** Code that shows the project is multi-tenant. */
const TENANCY = /\b(?:django_tenants|tenant_schemas|schema_context|tenant_context|connection\.schema_name|request\.tenant)\b/;
/** An argument that carries the tenant: a schema name, a tenant or organisation id. */
const TENANT_ARG = /schema|tenant|organi[sz]ation|org_id|\borg\b|workspace/i;

/** A task as plain data (lines, not nodes): the review-wide index outlives the trees it was read from. */
interface Task {
  name: string;
  file: FileDiff;
  /** Line of the `def`. */
  defLine: number;
  /** Lines of the `.objects` queries in the body, the first one first. */
  queryLines: number[];
  /** Lines of every attribute in the definition: the change touched the task where one of them changed. */
  attributeLines: number[];
}

const isObjects = (a: Node): boolean => a.childForFieldName("attribute")?.text === "objects";

/** Tasks of one file whose body queries models without entering a tenant. */
function tasksWithoutTenant(file: FileDiff, ctx: RuleContext): Task[] {
  const tree = ctx.trees.get(file, "new");
  return nodesOf(tree?.rootNode, "decorated_definition").flatMap((d): Task[] => {
    const decos = kids(d).filter((k) => k.type === "decorator").map((k) => k.text);
    const def = d.childForFieldName("definition");
    if (!def || def.type !== "function_definition" || !decos.some((t) => TASK_DECORATOR.test(t))) return [];
    if (decos.some((t) => TENANT_CONTEXT.test(t)) || TENANT_CONTEXT.test(def.text)) return [];
    const queryLines = nodesOf(def.childForFieldName("body"), "attribute").filter(isObjects).map(lineOf);
    if (queryLines.length === 0) return [];
    const attributes = nodesOf(def, "attribute");
    return [{ name: def.childForFieldName("name")?.text ?? "task", file, defLine: lineOf(def), queryLines, attributeLines: attributes.map(lineOf) }];
  });
}

/** Whether this file belongs to a multi-tenant project: the settings say so, or the code (either side) does. */
function multiTenant(file: FileDiff, ctx: RuleContext): boolean {
  const known = ctx.facts.tenantsInstalled?.value;
  if (known !== undefined) return known;
  return file.hunks.some((h) => h.lines.some((l) => TENANCY.test(l.text))) || TENANCY.test(ctx.trees.get(file, "new")?.rootNode.text ?? "");
}

const BODY =
  "A Celery worker does not inherit the caller's tenant: it starts in the public schema (django-tenants) or with no " +
  "organisation, so this query reads or writes the wrong tenant's rows, or fails on a missing table. Pass the tenant " +
  "(`schema_name`/tenant id) to the task and wrap the body in `with schema_context(schema_name):` (or use a tenant-aware " +
  "task base such as tenant-schemas-celery's `TenantTask`).";

const taskLosesTenant: Rule = {
  id: "celery/task-loses-tenant-context",
  family: "celery",
  defaultSeverity: "high",
  category: "tenancy",
  title: "Celery task queries tenant data without the tenant's context",
  appliesTo: isPython,
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!multiTenant(file, ctx)) return [];
    const changed = changedLines(file);
    const hits: RuleHit[] = [];
    // The task side: a task body the change touched.
    for (const t of tasksWithoutTenant(file, ctx)) {
      const line = t.queryLines.find((r) => changed.has(r)) ?? (changed.has(t.defLine) ? t.queryLines[0] : undefined);
      if (line !== undefined) hits.push({ line, title: `Task \`${t.name}\` queries without entering the tenant`, body: BODY });
    }
    // The caller side: a new `.delay()` of a task (defined in the change, body untouched) without a tenant argument.
    if (!changeMentions(file, /\.(?:delay|apply_async)\b/)) return hits;
    const tasks = ctx.memo("celery-tasks-without-tenant", () => ctx.files.filter((f) => isPython(f.path) && f.status !== "removed").flatMap((f) => tasksWithoutTenant(f, ctx)));
    for (const call of nodesOf(ctx.trees.get(file, "new")?.rootNode, "call")) {
      const m = /^(\w+)\.(?:delay|apply_async)$/.exec(calleeText(call));
      const task = m && tasks.find((t) => t.name === m[1]);
      if (!task || !changed.has(lineOf(call))) continue;
      const taskChanged = changedLines(task.file);
      if (taskChanged.has(task.defLine) || task.attributeLines.some((l) => taskChanged.has(l))) continue;
      if (positionalArgs(call).concat(kids(call.childForFieldName("arguments"))).some((a) => TENANT_ARG.test(a.text))) continue;
      hits.push({ line: lineOf(call), title: `\`${m[1]}\` is queued without the tenant`, body: BODY });
    }
    return hits;
  },
};

/** Celery rules about tenant context. */
export const CELERY_TENANT_RULES: readonly Rule[] = [taskLosesTenant];
