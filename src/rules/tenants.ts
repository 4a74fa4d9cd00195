/**
 * django-tenants isolation: schema switches that are not undone, tenant data read
 * in the public schema, and new models landing in a shared app. A schema left on
 * the wrong tenant serves one customer's rows to the next request on that connection.
 */
import type { FileDiff } from "../diff/types.js";
import { appDirOf, isModelsFile, isPython, isTestPath } from "./paths.js";
import type { ListFact } from "./project-facts.js";
import { dottedTail } from "./python-bindings.js";
import { changedLines, changeMentions, inHunk } from "./diff-lines.js";
import { MAX_DEPTH, calleeName, child, kids, lineOf, nodesOf, positionalArgs, stringValue, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "tenants";

const nonTest = (path: string): boolean => isPython(path) && !isTestPath(path);

const SWITCH = /^(?:set_schema_to_public|set_schema|set_tenant)$/;

/** The names `django.db.connection` goes by in this file: `connection`, and any `import connection as db`. */
function connectionNames(root: Node | undefined): string[] {
  const aliases = nodesOf(root, "aliased_import")
    .filter((a) => a.childForFieldName("name")?.text === "connection" && /^django\.db$/.test(a.parent?.childForFieldName("module_name")?.text ?? ""))
    .map((a) => a.childForFieldName("alias")?.text ?? "connection");
  return ["connection", ...aliases];
}

/** `try: … finally: connection.set_schema_to_public()`: the schema is restored by hand, like a context manager would. */
function restored(call: Node, restores: (tryStatement: Node) => boolean): boolean {
  // A `try` further up than real code nests is not looked for (hostile nesting would cost depth × calls).
  for (let p = call.parent, depth = 0; p && depth < MAX_DEPTH; p = p.parent, depth++) {
    if (p.type === "finally_clause") return true;
    if (p.type === "try_statement" && restores(p)) return true;
  }
  return false;
}

const rawSetSchema: Rule = {
  id: `${FAMILY}/raw-set-schema`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "tenancy",
  title: "Schema switched without a context manager",
  appliesTo: nonTest,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /\.(?:set_schema_to_public|set_schema|set_tenant)\b/)) return [];
    // Tenant middleware is the one place meant to call set_tenant per request.
    const middleware = /middleware/i.test(file.path);
    const root = ctx.trees.get(file, "new")?.rootNode;
    const names = connectionNames(root);
    // `connection.set_tenant`, `db.connection.set_tenant`, `db.set_tenant` when `db` is the connection's alias.
    const switchOf = (call: Node): string | undefined => {
      const [target = "", method = ""] = dottedTail(call.childForFieldName("function"), 2).split(".");
      return SWITCH.test(method) && names.includes(target) ? `${target}.${method}` : undefined;
    };
    // Asked once per `try`: nested ones would otherwise be read again for every call inside them.
    const verdicts = new Map<number, boolean>();
    const restores = (t: Node): boolean => {
      if (!verdicts.has(t.id)) verdicts.set(t.id, nodesOf(child(t, "finally_clause"), "call").some((c) => switchOf(c) !== undefined));
      return verdicts.get(t.id) ?? false;
    };
    const changed = changedLines(file);
    return nodesOf(root, "call").flatMap((call): RuleHit[] => {
      const callee = switchOf(call);
      if (!callee || !changed.has(lineOf(call)) || (middleware && callee.endsWith(".set_tenant")) || restored(call, restores)) return [];
      return [
        {
          line: lineOf(call),
          title: `\`${callee}()\` outside a context manager`,
          body:
            `\`${callee}()\` changes the schema for everything that runs next on this connection, and nothing ` +
            "restores it if the code raises or returns early: later queries (other requests, other Celery tasks on " +
            "this worker) then read the wrong tenant's data. Use `with schema_context(name):` or " +
            "`with tenant_context(tenant):`, which restore the previous schema on exit.",
        },
      ];
    });
  },
};

/** SHARED_APPS / TENANT_APPS from the project facts. */
type AppLists = Partial<Record<"SHARED_APPS" | "TENANT_APPS", ListFact>>;

function appLists(ctx: RuleContext): AppLists {
  return { SHARED_APPS: ctx.facts.sharedApps, TENANT_APPS: ctx.facts.tenantApps };
}

/** `billing.apps.BillingConfig` and `apps.billing` both name the directory `…/apps/billing`. */
function listed(list: ListFact | undefined, module: string): boolean {
  const target = module.split(/[./]/).filter(Boolean);
  return (list?.values ?? []).some((entry) => {
    const parts = entry.replace(/\.apps\.\w+Config$/, "").split(".");
    const [shorter, longer] = parts.length <= target.length ? [parts, target] : [target, parts];
    return shorter.length > 0 && shorter.every((p, i) => p === longer[longer.length - shorter.length + i]);
  });
}

/** Model name → module it is imported from (`from .models import A, B as C`; `.` resolved to the file's directory). */
function importedModels(root: Node | undefined, path: string): Map<string, string> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const map = new Map<string, string>();
  for (const imp of nodesOf(root, "import_from_statement")) {
    const from = imp.childForFieldName("module_name")?.text ?? "";
    if (!from.endsWith("models")) continue;
    const module = from === ".models" ? dir : from.replace(/\.models$/, "");
    for (const name of imp.childrenForFieldName("name")) {
      // `B as C` is used as `C` and defined as `B`: either spelling names the model.
      for (const id of [name?.childForFieldName("name") ?? name, name?.childForFieldName("alias")]) if (id) map.set(id.text, module);
    }
  }
  return map;
}

/** Names of models that live in the public schema in most django-tenants projects. */
const SHARED_NAME = /Tenant|Client|Domain|Customer|Organi[sz]ation|Account|User|Plan|Subscription|Schema/;

function isTenantModel(model: string, module: string | undefined, lists: AppLists): boolean {
  if (module && (lists.SHARED_APPS || lists.TENANT_APPS)) {
    if (listed(lists.SHARED_APPS, module)) return false;
    if (listed(lists.TENANT_APPS, module)) return true;
  }
  // Without the settings in the PR, fall back to the model's name.
  return !SHARED_NAME.test(model);
}

/** The schema a `with` enters: "public", "tenant" (any other schema or a tenant), or undefined (no schema switch). */
function schemaEntered(stmt: Node): "public" | "tenant" | undefined {
  let entered: "public" | "tenant" | undefined;
  for (const item of nodesOf(child(stmt, "with_clause"), "with_item")) {
    const value = item.childForFieldName("value");
    const call = value?.type === "as_pattern" ? kids(value)[0] : value;
    if (call?.type !== "call" || !/^(?:schema|tenant)_context$/.test(calleeName(call))) continue;
    const schema = positionalArgs(call)[0];
    const isPublic = calleeName(call) === "schema_context" && (stringValue(schema) === "public" || /get_public_schema_name|PUBLIC_SCHEMA_NAME/.test(schema?.text ?? ""));
    entered = isPublic ? "public" : "tenant";
  }
  return entered;
}

/** The `with` whose schema a node runs in, or undefined when a function boundary comes first (the code runs later). */
function schemaBlock(node: Node): Node | undefined {
  for (let c = node, p = node.parent, depth = 0; p && depth < MAX_DEPTH; c = p, p = p.parent, depth++) {
    if (p.type === "function_definition" || p.type === "class_definition") return undefined;
    // Only the body runs inside: `with schema_context(Client.objects.get(...).schema_name)` reads outside.
    if (p.type === "with_statement" && c.type === "block" && schemaEntered(p)) return p;
  }
  return undefined;
}

const tenantQueryInPublic: Rule = {
  id: `${FAMILY}/tenant-query-in-public`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "tenancy",
  title: "Tenant model queried inside `schema_context('public')`",
  appliesTo: nonTest,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /schema_context|\.objects\b|_default_manager/)) return [];
    const lists = appLists(ctx);
    const root = ctx.trees.get(file, "new")?.rootNode;
    const changed = changedLines(file);
    const imports = importedModels(root, file.path);
    if (!nodesOf(root, "with_statement").some((w) => schemaEntered(w) === "public")) return [];
    const hits = new Map<number, RuleHit>();
    // Each query once, judged by the schema block nearest to it (a nested `tenant_context` wins).
    for (const attr of nodesOf(root, "attribute")) {
      if (!/^(?:objects|_default_manager)$/.test(attr.childForFieldName("attribute")?.text ?? "")) continue;
      const model = dottedTail(attr.childForFieldName("object"), 1);
      const line = lineOf(attr);
      if (!/^[A-Z]\w*$/.test(model)) continue;
      const stmt = hits.has(line) ? undefined : schemaBlock(attr);
      // The query line or the `with` line changed, and the query is where a comment can go.
      if (!stmt || schemaEntered(stmt) !== "public" || !(changed.has(line) || changed.has(lineOf(stmt))) || !inHunk(file, line)) continue;
      if (!isTenantModel(model, imports.get(model), lists)) continue;
      hits.set(line, {
        line,
        title: `Tenant model \`${model}\` queried in the public schema`,
        body:
          `Inside \`schema_context("public")\` the query on \`${model}\` reads the public schema, where a tenant ` +
          "app's table is empty, missing, or (if the app is also shared) holds rows of no tenant in particular. " +
          "Query it inside `tenant_context(tenant)` for each tenant, or keep only shared models in this block.",
      });
    }
    return [...hits.values()];
  },
};

const modelInSharedApp: Rule = {
  id: `${FAMILY}/model-in-shared-app`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "tenancy",
  title: "New model in an app listed only in SHARED_APPS",
  appliesTo: isModelsFile,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const lists = appLists(ctx);
    const app = appDirOf(file.path);
    if (!listed(lists.SHARED_APPS, app) || !lists.TENANT_APPS || listed(lists.TENANT_APPS, app)) return [];
    const label = app.slice(app.lastIndexOf("/") + 1);
    if (!changeMentions(file, /\bclass\s/)) return [];
    const tree = ctx.trees.get(file, "new");
    const changed = changedLines(file);
    return nodesOf(tree?.rootNode ?? null, "class_definition").flatMap((cls): RuleHit[] => {
      const name = cls.childForFieldName("name")?.text;
      const bases = kids(cls.childForFieldName("superclasses")).map((b) => b.text.split(".").pop() ?? "");
      // The project's own abstract bases count: `class Invoice(TenantAwareModel)`.
      const model = bases.some((b) => ctx.facts.modelBases.has(b) || b.endsWith("Model"));
      if (!name || !model || !changed.has(lineOf(cls)) || /\babstract\s*=\s*True\b/.test(cls.text)) return [];
      return [
        {
          line: lineOf(cls),
          title: `\`${name}\` is created in the shared (public) schema`,
          body:
            `\`${label}\` is in \`SHARED_APPS\` but not \`TENANT_APPS\` (settings: \`${lists.SHARED_APPS?.where ?? "?"}\`), so \`${name}\` gets a single table in the ` +
            "public schema that every tenant reads and writes. If it holds per-tenant data, move the app to " +
            "`TENANT_APPS` (or give the model a tenant foreign key and filter on it everywhere); if it is global data, this is fine.",
        },
      ];
    });
  },
};

/** django-tenants rules stay silent where the settings show it is not installed (commented out, `TENANT_APPS = []`). */
function whenTenants(rule: Rule): Rule {
  return { ...rule, check: (file, ctx) => (ctx.facts.tenantsInstalled?.value === false ? [] : rule.check(file, ctx)) };
}

/** The django-tenants family. */
export const TENANT_RULES: readonly Rule[] = [rawSetSchema, tenantQueryInPublic, modelInSharedApp].map(whenTenants);
