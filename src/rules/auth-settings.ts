/**
 * DRF/Django access control and deployment settings that open the door:
 * AllowAny, empty permission or authentication classes, CSRF exemptions, and
 * DEBUG / ALLOWED_HOSTS / CORS in settings that are not meant for a dev machine.
 */
import type { FileDiff } from "../diff/types.js";
import type { Category, Severity } from "../domain/findings.js";
import { isDevSettings, isPython, isSettingsFile, isTestPath } from "./paths.js";
import { drfDeniesByDefault } from "./project-facts.js";
import { bindings, isEmptySequence, lastName, unconditional } from "./python-bindings.js";
import { changeMentions, touchedLine } from "./diff-lines.js";
import { ancestor, calleeName, calleeText, kids, lineOf, nodesOf, positionalArgs, stringValue, type Node } from "./python-tree.js";
import { csrfExempt } from "./csrf-exempt.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "auth-settings";

/**
 * A rule over the new side's syntax tree of a non-test Python file: `find` returns
 * the offending nodes, each reported once per line, on a line the change touched.
 */
function treeRule(spec: {
  name: string;
  severity: Severity;
  category?: Category;
  title: string;
  body: string;
  settingsOnly?: boolean;
  /** An added line must match this before the file is parsed (a cheap filter). */
  mention?: RegExp;
  find(root: Node): Node[];
  /** Opting out on purpose (a public view, a comment saying why): not reported. */
  deliberate?(node: Node, line: number, commented: ReadonlySet<number>): boolean;
  /** A project fact that changes the verdict: undefined keeps the plain body, null silences the rule in views. */
  fact?(ctx: RuleContext, path: string): string | null | undefined;
}): Rule {
  return {
    id: `${FAMILY}/${spec.name}`,
    family: FAMILY,
    defaultSeverity: spec.severity,
    category: spec.category ?? "security",
    title: spec.title,
    appliesTo: (path) =>
      isPython(path) && !isTestPath(path) && (!spec.settingsOnly || (isSettingsFile(path) && !isDevSettings(path))),
    check(file: FileDiff, ctx: RuleContext): RuleHit[] {
      const fact = spec.fact?.(ctx, file.path);
      if (fact === null || (spec.mention && !changeMentions(file, spec.mention))) return [];
      const root = ctx.trees.get(file, "new")?.rootNode;
      if (!root) return [];
      const body = fact ? `${spec.body} ${fact}` : spec.body;
      const commented = new Set(nodesOf(root, "comment").map(lineOf));
      const lines = new Set<number>();
      for (const node of spec.find(root)) {
        const line = touchedLine(node, file);
        if (line === undefined || lines.has(line) || spec.deliberate?.(node, line, commented)) continue;
        lines.add(line);
      }
      return [...lines].sort((a, b) => a - b).map((line) => ({ line, body }));
    },
  };
}

/**
 * In a view, opting out of permissions matters when the project's default denies
 * anonymous access (say so); when the default already allows anyone, the view
 * changes nothing and the finding belongs on the settings, so views stay silent.
 */
function underDefaults(ctx: RuleContext, path: string): string | null | undefined {
  const perms = ctx.facts.drfPermissions;
  if (!perms || isSettingsFile(path)) return undefined;
  if (!drfDeniesByDefault(ctx.facts)) return null;
  return `The project's default is \`${perms.values.join(", ")}\` (\`REST_FRAMEWORK\` in \`${perms.where}\`): this view opts out of it.`;
}

/**
 * Views that must be open to anonymous clients by what they are: they issue the
 * credentials (token, login, sign-up, password reset) or check their own.
 */
export const PUBLIC_BY_PURPOSE = /(?:Obtain|Token|Login|Logout|Register|Signup|SignUp|PasswordReset|Health|Webhook|Callback)\w*$/;

/** The top-level statement a node belongs to. */
function topLevel(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== "module") n = n.parent;
  return n;
}

/**
 * Opting out is deliberate here: a line documented by a comment, a view public by
 * purpose (its class, whatever method the line is in), or a settings dict that is
 * not the project's `REST_FRAMEWORK` (a library's own, `SPECTACULAR_SETTINGS = {...}`).
 */
function deliberate(node: Node, line: number, commented: ReadonlySet<number>): boolean {
  if (commented.has(line)) return true;
  // The view's class, also from inside its methods (`get_permissions` returning `[AllowAny()]`).
  if (PUBLIC_BY_PURPOSE.test(ancestor(node, "class_definition")?.childForFieldName("name")?.text ?? "")) return true;
  const assignment = kids(topLevel(node)).find((c) => c.type === "assignment");
  const target = assignment?.childForFieldName("left")?.text ?? "";
  return /^[A-Z_]+$/.test(target) && target !== "REST_FRAMEWORK" && ancestor(node, "dictionary") !== undefined;
}

/** Where `AllowAny` is used: the name (not its import, not the class defining it) or its dotted path in a string. */
function allowAnyUses(root: Node): Node[] {
  const names = nodesOf(root, "identifier").filter(
    (id) =>
      id.text === "AllowAny" &&
      !ancestor(id, "import_from_statement", "import_statement") &&
      !(id.parent?.type === "class_definition" && id.parent.childForFieldName("name")?.id === id.id),
  );
  return [...names, ...nodesOf(root, "string").filter((s) => stringValue(s) === "rest_framework.permissions.AllowAny")];
}

/** `permission_classes = []` (class attribute, keyword), `@permission_classes([])`, `"DEFAULT_PERMISSION_CLASSES": []`. */
function emptyClasses(attribute: string, setting: string): (root: Node) => Node[] {
  return (root) => [
    ...bindings(root)
      .filter((b) => (b.node.type === "pair" ? b.name === setting : lastName(b) === attribute) && isEmptySequence(b.value))
      .map((b) => b.node),
    ...nodesOf(root, "decorator").filter((d) => {
      const call = kids(d)[0];
      return call?.type === "call" && calleeName(call) === attribute && isEmptySequence(positionalArgs(call)[0]);
    }),
  ];
}

/** Module-level (or class-level) settings assigned `True`, not behind an `if` or inside a function. */
function setTrue(...names: string[]): (root: Node) => Node[] {
  return (root) =>
    bindings(root)
      .filter((b) => b.node.type === "assignment" && names.includes(b.name) && b.value.type === "true" && unconditional(b.node))
      .map((b) => b.node);
}

const hasStar = (node: Node | null | undefined): boolean => nodesOf(node, "string").some((s) => stringValue(s) === "*");

const allowAny = treeRule({
  name: "allow-any",
  severity: "medium",
  title: "DRF `AllowAny` permission",
  body:
    "`AllowAny` lets unauthenticated clients call this endpoint (or, in `DEFAULT_PERMISSION_CLASSES`, every " +
    "endpoint that does not override it). If the view is meant to be public (login, health check, webhook " +
    "with its own signature check) say so in a comment; otherwise use `IsAuthenticated` or a tenant-aware permission.",
  mention: /AllowAny/,
  find: allowAnyUses,
  deliberate,
  fact: underDefaults,
});

const emptyPermissions = treeRule({
  name: "empty-permission-classes",
  severity: "high",
  title: "Empty `permission_classes`",
  body:
    "An empty `permission_classes` disables every permission check for the view: anyone, authenticated or " +
    "not, may call it. Set the permission the endpoint needs (`[IsAuthenticated]`, an object/tenant permission), " +
    "or `[AllowAny]` explicitly if it is really public.",
  mention: /permission_classes|PERMISSION_CLASSES/,
  find: emptyClasses("permission_classes", "DEFAULT_PERMISSION_CLASSES"),
  deliberate,
  fact: underDefaults,
});

const emptyAuthentication = treeRule({
  name: "empty-authentication-classes",
  severity: "medium",
  title: "Empty `authentication_classes`",
  body:
    "With no authentication classes `request.user` is always anonymous, so object ownership and tenant checks " +
    "that rely on it silently pass or fail, and session CSRF protection is not applied. Keep the defaults unless " +
    "the endpoint authenticates by other means (e.g. a verified webhook signature), and document that.",
  mention: /authentication_classes|AUTHENTICATION_CLASSES/,
  find: emptyClasses("authentication_classes", "DEFAULT_AUTHENTICATION_CLASSES"),
  deliberate,
});

const debugTrue = treeRule({
  name: "debug-true",
  severity: "high",
  title: "`DEBUG = True` in deployable settings",
  settingsOnly: true,
  body:
    "With `DEBUG = True` Django serves detailed error pages with settings, environment and source excerpts to " +
    "anyone who triggers an error, and keeps every SQL query in memory. Read it from the environment with a " +
    "`False` default (`DEBUG = env.bool(\"DEBUG\", default=False)`) and set it only in dev settings.",
  find: setTrue("DEBUG"),
});

const allowedHostsWildcard = treeRule({
  name: "allowed-hosts-wildcard",
  severity: "medium",
  title: "`ALLOWED_HOSTS` accepts any host",
  settingsOnly: true,
  body:
    "`\"*\"` in `ALLOWED_HOSTS` turns off Host header validation, which enables password-reset link poisoning " +
    "and cache poisoning through forged `Host` headers. List the real domains (with django-tenants, the tenant " +
    "domain suffix such as `\".example.com\"`), read from the environment.",
  // `ALLOWED_HOSTS = ["*"]`, `+= ["*"]`, `= env.list(..., default=["*"])`, `ALLOWED_HOSTS.append("*")`.
  find: (root) => [
    ...bindings(root).filter((b) => b.name === "ALLOWED_HOSTS" && b.node.type.endsWith("assignment") && unconditional(b.node) && hasStar(b.value)).map((b) => b.node),
    ...nodesOf(root, "call").filter((c) => /^ALLOWED_HOSTS\.(?:append|extend|insert)$/.test(calleeText(c)) && unconditional(c) && hasStar(c.childForFieldName("arguments"))),
  ],
});

const corsAllowAll = treeRule({
  name: "cors-allow-all",
  severity: "high",
  title: "CORS allows every origin",
  settingsOnly: true,
  body:
    "`CORS_ALLOW_ALL_ORIGINS` lets any website call the API from a user's browser and read the responses; with " +
    "`CORS_ALLOW_CREDENTIALS` that includes the user's session. Use `CORS_ALLOWED_ORIGINS` (or " +
    "`CORS_ALLOWED_ORIGIN_REGEXES` for tenant subdomains) with the front-end origins only.",
  find: setTrue("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"),
});

/** The auth and settings family. */
export const AUTH_SETTINGS_RULES: readonly Rule[] = [
  allowAny,
  emptyPermissions,
  emptyAuthentication,
  csrfExempt,
  debugTrue,
  allowedHostsWildcard,
  corsAllowAll,
];
