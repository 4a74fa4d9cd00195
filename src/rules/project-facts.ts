/**
 * What the rules know about the project, read once per review from its settings
 * and models (the full files when the caller passes them, else the diff's files):
 * whether django-tenants is installed, the shared and tenant apps, DRF's defaults,
 * the middleware, and the project's own model base classes. Each fact remembers
 * the file it came from, so a finding can say what it relied on.
 */
import type { FileDiff } from "../diff/types.js";
import { isModelsFile, isSettingsFile, isPython } from "./paths.js";
import { child, kids, nodesOf, parsePython, stringValue, unwrap, type Node, type ReviewTrees } from "./python-tree.js";

/** A list-valued setting and the file it was read from. */
export interface ListFact {
  values: string[];
  where: string;
}

/** Facts about the project; a missing one is unknown (not in any file the review could read). */
export interface ProjectFacts {
  /** `django_tenants` listed in live settings code; false when settings were read and it is not. */
  tenantsInstalled?: { value: boolean; where: string } | undefined;
  sharedApps?: ListFact | undefined;
  tenantApps?: ListFact | undefined;
  middleware?: ListFact | undefined;
  /** `REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`; `[]` when REST_FRAMEWORK is set without it (DRF then allows any). */
  drfPermissions?: ListFact | undefined;
  drfAuthentication?: ListFact | undefined;
  /** Classes that are (transitively) Django models: `models.Model`, `Model`, and the project's own bases. */
  modelBases: Set<string>;
}

/** Settings nest a few levels; a deeper expression is not configuration (and would exhaust the stack). */
const MAX_DEPTH = 20;

/** The string constants of a list, tuple or `a + [...]` expression (names it cannot resolve are skipped). */
function strings(node: Node | undefined, depth = 0): string[] {
  const n = unwrap(node);
  if (!n || depth > MAX_DEPTH) return [];
  const value = stringValue(n);
  if (value !== undefined) return [value];
  if (n.type === "list" || n.type === "tuple" || n.type === "binary_operator") return kids(n).flatMap((c) => strings(c, depth + 1));
  return [];
}

/** Top-level `NAME = value` / `NAME += value` statements of a module. */
function assignments(root: Node): Array<{ name: string; value: Node; augmented: boolean }> {
  const out: Array<{ name: string; value: Node; augmented: boolean }> = [];
  for (const stmt of kids(root)) {
    const a = child(stmt, "assignment", "augmented_assignment");
    const left = a?.childForFieldName("left");
    const right = a?.childForFieldName("right");
    if (a && left?.type === "identifier" && right) out.push({ name: left.text, value: right, augmented: a.type === "augmented_assignment" });
  }
  return out;
}

/** A key of a dict literal. */
function dictEntry(dict: Node | undefined, key: string): Node | undefined {
  const pair = kids(unwrap(dict)).find((p) => p.type === "pair" && stringValue(p.childForFieldName("key")) === key);
  return pair?.childForFieldName("value") ?? undefined;
}

const LISTS = { SHARED_APPS: "sharedApps", TENANT_APPS: "tenantApps", MIDDLEWARE: "middleware" } as const;

function readSettings(root: Node, where: string, facts: ProjectFacts): void {
  let seen = false;
  let tenants = false;
  let tenantAppsEmpty = false;
  for (const { name, value, augmented } of assignments(root)) {
    const values = strings(value);
    if (name === "INSTALLED_APPS" || name === "SHARED_APPS" || name === "TENANT_APPS") {
      seen = true;
      tenants ||= values.some((v) => v === "django_tenants" || v.startsWith("django_tenants."));
      if (name === "TENANT_APPS" && !augmented) tenantAppsEmpty = values.length === 0 && unwrap(value)?.type !== "identifier";
    }
    const key = LISTS[name as keyof typeof LISTS];
    if (key) facts[key] = { values: augmented ? [...(facts[key]?.values ?? []), ...values] : values, where };
    if (name === "REST_FRAMEWORK" && unwrap(value)?.type === "dictionary") {
      facts.drfPermissions = { values: strings(dictEntry(value, "DEFAULT_PERMISSION_CLASSES")), where };
      const auth = dictEntry(value, "DEFAULT_AUTHENTICATION_CLASSES");
      if (auth) facts.drfAuthentication = { values: strings(auth), where };
    }
  }
  // Only a file that lists the apps can say django-tenants is absent; one file that has it wins.
  if (!seen || facts.tenantsInstalled?.value) return;
  facts.tenantsInstalled = { value: tenants && !tenantAppsEmpty, where };
}

/** Class name → base names, for every class of a models module. */
function classBases(root: Node, into: Map<string, string[]>): void {
  for (const cls of nodesOf(root, "class_definition")) {
    const name = cls.childForFieldName("name")?.text;
    const bases = kids(cls.childForFieldName("superclasses")).filter((b) => b.type !== "keyword_argument").map((b) => b.text.split(".").pop() ?? "");
    if (name) into.set(name, [...(into.get(name) ?? []), ...bases]);
  }
}

/** Facts from the settings and models among the diff's files (head side) and `sources` (full files by path). */
export function readProjectFacts(files: readonly FileDiff[], trees: ReviewTrees, sources: ReadonlyMap<string, { head?: string | undefined }> = new Map()): ProjectFacts {
  const facts: ProjectFacts = { modelBases: new Set(["Model"]) };
  const bases = new Map<string, string[]>();
  const read = (path: string, root: Node): void => {
    if (isSettingsFile(path)) readSettings(root, path, facts);
    else if (isModelsFile(path) || path.endsWith("/base.py") || path.endsWith("/mixins.py")) classBases(root, bases);
  };
  const inDiff = new Set(files.map((f) => f.path));
  // Full files first, sorted so `settings/base.py` is read before the modules that extend it.
  for (const [path, src] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    if (inDiff.has(path) || !isPython(path) || src.head === undefined || !(isSettingsFile(path) || isModelsFile(path))) continue;
    const tree = parsePython(src.head);
    if (!tree) continue;
    read(path, tree.rootNode);
    tree.delete();
  }
  for (const f of files) {
    if (!isPython(f.path) || f.status === "removed") continue;
    if (!isSettingsFile(f.path) && !isModelsFile(f.path)) continue;
    const tree = trees.get(f, "new");
    if (tree) read(f.path, tree.rootNode);
    // git names the enclosing class in each hunk header: the base class's own header is often only there.
    for (const h of f.hunks) {
      const m = /^@@[^@]*@@\s*class\s+(\w+)\s*\(([^)]*)\)/.exec(h.header);
      if (m?.[1] && m[2]) bases.set(m[1], [...(bases.get(m[1]) ?? []), ...m[2].split(",").map((b) => b.trim().split(".").pop() ?? "")]);
    }
  }
  // Transitive closure: a class whose base is a model base is one too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, of] of bases) {
      if (!facts.modelBases.has(name) && of.some((b) => facts.modelBases.has(b))) {
        facts.modelBases.add(name);
        grew = true;
      }
    }
  }
  return facts;
}

/** Whether the facts show DRF authenticating and denying anonymous access by default. */
export function drfDeniesByDefault(facts: ProjectFacts): boolean {
  return (facts.drfPermissions?.values ?? []).some((p) => !/AllowAny$/.test(p));
}
