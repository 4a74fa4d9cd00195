/**
 * Changes that leave data or paths open: a `get_queryset` that returns every row
 * where the code around it scopes rows to the user or the organisation, a path
 * added to an auth middleware's skip list, and an authentication middleware
 * dropped from `MIDDLEWARE` while DRF's defaults let anyone in.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython, isSettingsFile } from "./paths.js";
import { drfDeniesByDefault } from "./project-facts.js";
import { changedLines, changeMentions } from "./diff-lines.js";
import { kids, lineOf, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

/** A queryset narrowed to the caller: by user, owner, organisation or tenant. */
const SCOPED_FILTER = /\.(?:filter|exclude|get)\([^)]*\b(?:request\.user|self\.request\.user|owner|user|organi[sz]ation|org|tenant|workspace|account|created_by)\w*\s*=/;
/** Chained calls that keep every row. */
const KEEPS_ROWS = /^(?:all|select_related|prefetch_related|order_by|annotate|only|defer|distinct|using)$/;

/** `Model.objects.all()` (and chains that keep every row) as the returned value. */
function everyRow(value: Node | undefined): boolean {
  let n = unwrap(value);
  let sawAll = false;
  for (let depth = 0; n?.type === "call" && depth < 10; depth++) {
    const fn = n.childForFieldName("function");
    const method = fn?.childForFieldName("attribute")?.text ?? "";
    if (fn?.type !== "attribute" || !KEEPS_ROWS.test(method)) return false;
    sawAll ||= method === "all";
    n = unwrap(fn.childForFieldName("object"));
  }
  return sawAll && n?.type === "attribute" && n.childForFieldName("attribute")?.text === "objects";
}

const unscopedQueryset: Rule = {
  id: "drf/unscoped-get-queryset",
  family: "drf",
  defaultSeverity: "high",
  category: "security",
  title: "`get_queryset` returns every row where the code scopes rows to the caller",
  appliesTo: isPython,
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /objects|return/)) return [];
    const tree = ctx.trees.get(file, "new");
    const text = tree?.rootNode.text ?? "";
    // The convention of the code around it (or of the version the change replaced).
    const old = file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === "del").map((l) => l.text)).join("\n");
    const scoped = SCOPED_FILTER.test(text) || SCOPED_FILTER.test(old);
    if (!scoped) return [];
    const changed = changedLines(file);
    return nodesOf(tree?.rootNode, "function_definition")
      .filter((f) => f.childForFieldName("name")?.text === "get_queryset")
      .flatMap((f): RuleHit[] =>
        nodesOf(f.childForFieldName("body"), "return_statement")
          .filter((r) => changed.has(lineOf(r)) && everyRow(kids(r)[0]))
          .map((r) => ({
            line: lineOf(r),
            title: "`get_queryset` returns every row of the model",
            body:
              "This `get_queryset` returns `objects.all()`, while the code around it narrows querysets to the caller " +
              "(by user, owner or organisation). List, retrieve, update and delete all start from this queryset, so " +
              "any authenticated user can read or change other users' or organisations' rows by id (IDOR). Filter it " +
              "the same way (e.g. `.filter(organization=self.request.user.organization)`), or use a scoped manager.",
          })),
      );
  },
};

/** A list of paths an auth middleware lets through unauthenticated. */
const SKIP_LIST = /(?:skip|exempt|whitelist|white_list|allow(?:ed)?|public|ignore[ds]?|open|unauthenticated|no_auth|anonymous|bypass)\w*(?:path|url|route|prefix|endpoint)/i;

/** Auth middleware: its dotted path names authentication, a token, a session or an API key. */
const AUTH_MIDDLEWARE = /auth|token|api_?key|session|login|jwt|oidc|permission/i;

const openPaths: Rule = {
  id: "auth-settings/unauthenticated-paths",
  family: "auth-settings",
  defaultSeverity: "high",
  category: "security",
  title: "Paths left without authentication (middleware skip list, middleware removed)",
  appliesTo: isPython,
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const hits: RuleHit[] = [];
    const changed = changedLines(file);
    // 1. A path added to a skip list.
    if (changeMentions(file, /["']/)) {
      for (const a of nodesOf(ctx.trees.get(file, "new")?.rootNode, ["assignment", "pair"])) {
        const name = a.type === "pair" ? stringValue(a.childForFieldName("key")) : a.childForFieldName("left")?.text;
        const value = unwrap(a.type === "pair" ? a.childForFieldName("value") : a.childForFieldName("right"));
        if (!name || !SKIP_LIST.test(name) || !value || !["list", "tuple", "set"].includes(value.type)) continue;
        for (const item of kids(value)) {
          const path = stringValue(item);
          // A URL path (`/internal/`, `^/api/`), not a template or module prefix that happens to sit in a "skip" list.
          if (path === undefined || !changed.has(lineOf(item)) || !/^\^?\/|^\^?api\//.test(path) || /template/i.test(name)) continue;
          hits.push({
            line: lineOf(item),
            title: `\`${path}\` added to \`${name}\`: served without authentication`,
            body:
              `Requests to \`${path}\` now skip the authentication middleware (\`${name}\`), so the views under it ` +
              "run for anonymous callers unless each one checks credentials itself. If the path is meant to be internal, " +
              "authenticate it another way (a shared-secret header checked in constant time, network policy) and say so; " +
              "if it is public, make sure its views need no user and expose nothing tenant-specific.",
          });
        }
      }
    }
    // 2. An authentication middleware taken out of MIDDLEWARE while DRF lets anyone in.
    // Only when the settings were read: an unknown default is not evidence that DRF lets anyone in.
    if (isSettingsFile(file.path) && ctx.facts.drfPermissions && !drfDeniesByDefault(ctx.facts)) {
      const inMiddleware = (text: string): boolean => /["'][\w.]*middleware[\w.]*["']/i.test(text) && AUTH_MIDDLEWARE.test(text.split(".").pop() ?? "");
      const kept = new Set(ctx.facts.middleware?.values ?? []);
      for (const h of file.hunks) {
        for (const l of h.lines) {
          const dotted = /["']([\w.]+)["']/.exec(l.text)?.[1];
          if (l.kind !== "del" || l.oldLine === undefined || !dotted || !inMiddleware(l.text) || kept.has(dotted)) continue;
          const added = h.lines.some((x) => x.kind === "add" && x.text.includes(dotted) && !/^\s*#/.test(x.text));
          if (added) continue;
          const perms = ctx.facts.drfPermissions;
          hits.push({
            line: l.oldLine,
            side: "LEFT",
            title: `\`${dotted.split(".").pop() ?? dotted}\` removed from the middleware`,
            body:
              `\`${dotted}\` no longer runs, and DRF's default permission classes are \`[${perms?.values.join(", ") ?? ""}]\` (\`${perms?.where ?? "settings"}\`), ` +
              "so every view that relied on the middleware to authenticate is now open. Keep the middleware, or set " +
              "`DEFAULT_PERMISSION_CLASSES` to `IsAuthenticated` before removing it.",
          });
        }
      }
    }
    return hits;
  },
};

/** Rules about what a change leaves exposed. */
export const EXPOSURE_RULES: readonly Rule[] = [unscopedQueryset, openPaths];
