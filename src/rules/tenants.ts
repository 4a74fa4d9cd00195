/**
 * django-tenants isolation: schema switches that are not undone, tenant data read
 * in the public schema, and new models landing in a shared app. A schema left on
 * the wrong tenant serves one customer's rows to the next request on that connection.
 */
import type { FileDiff } from "../diff/types.js";
import { appDirOf, isModelsFile, isPython, isTestPath } from "./paths.js";
import type { ListFact } from "./project-facts.js";
import { findCalls, positional, restOfStatement } from "./python-expr.js";
import { blockAfter, fileCodeLines, indentOf } from "./python-source.js";
import { changedLines, changeMentions, kids, lineOf, nodesOf } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "tenants";

const nonTest = (path: string): boolean => isPython(path) && !isTestPath(path);

const rawSetSchema: Rule = {
  id: `${FAMILY}/raw-set-schema`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "tenancy",
  title: "Schema switched without a context manager",
  appliesTo: nonTest,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    // Tenant middleware is the one place meant to call set_tenant per request.
    const middleware = /middleware/i.test(file.path);
    return fileCodeLines(file, ctx.trees).flatMap((lines) =>
      lines.flatMap((l): RuleHit[] => {
        const m = /\bconnection\.(set_schema_to_public|set_schema|set_tenant)\s*\(/.exec(l.code);
        if (!l.added || !m?.[1] || (middleware && m[1] === "set_tenant")) return [];
        return [
          {
            line: l.line,
            title: `\`connection.${m[1]}()\` outside a context manager`,
            body:
              `\`connection.${m[1]}()\` changes the schema for everything that runs next on this connection, and nothing ` +
              "restores it if the code raises or returns early: later queries (other requests, other Celery tasks on " +
              "this worker) then read the wrong tenant's data. Use `with schema_context(name):` or " +
              "`with tenant_context(tenant):`, which restore the previous schema on exit.",
          },
        ];
      }),
    );
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

/** Model name → module it is imported from in this file's diff (`.` resolved to the file's directory). */
function importedModels(file: FileDiff, ctx: RuleContext): Map<string, string> {
  const dir = file.path.slice(0, file.path.lastIndexOf("/"));
  const map = new Map<string, string>();
  for (const lines of fileCodeLines(file, ctx.trees)) {
    lines.forEach((l, at) => {
      const m = /^\s*from\s+([\w.]+)\s+import\s+/.exec(l.code);
      if (!m?.[1]?.endsWith("models")) return;
      const module = m[1] === ".models" ? dir : m[1].replace(/\.models$/, "");
      for (const name of restOfStatement(lines, at, m[0].length).code.match(/\b[A-Z]\w*/g) ?? []) map.set(name, module);
    });
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

const tenantQueryInPublic: Rule = {
  id: `${FAMILY}/tenant-query-in-public`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "tenancy",
  title: "Tenant model queried inside `schema_context('public')`",
  appliesTo: nonTest,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const lists = appLists(ctx);
    const imports = importedModels(file, ctx);
    const hits: RuleHit[] = [];
    for (const lines of fileCodeLines(file, ctx.trees)) {
      for (const call of findCalls(lines, /^\s*(?:async\s+)?with\s+(?:[\w.]*\.)?schema_context\s*\(/g)) {
        const schema = positional(call)[0];
        const isPublic = schema && (/^\s*["']public["']\s*$/.test(schema.raw) || /get_public_schema_name|PUBLIC_SCHEMA_NAME/.test(schema.code));
        if (!isPublic) continue;
        for (const l of blockAfter(lines, call.at)) {
          const m = /\b([A-Z]\w*)\.(?:objects|_default_manager)\b/.exec(l.code);
          if (!m?.[1] || !(l.added || call.line.added) || indentOf(l.raw) <= indentOf(call.line.raw)) continue;
          if (!isTenantModel(m[1], imports.get(m[1]), lists)) continue;
          hits.push({
            line: l.line,
            title: `Tenant model \`${m[1]}\` queried in the public schema`,
            body:
              `Inside \`schema_context("public")\` the query on \`${m[1]}\` reads the public schema, where a tenant ` +
              "app's table is empty, missing, or (if the app is also shared) holds rows of no tenant in particular. " +
              "Query it inside `tenant_context(tenant)` for each tenant, or keep only shared models in this block.",
          });
        }
      }
    }
    return hits;
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
