/**
 * DRF/Django access control and deployment settings that open the door:
 * AllowAny, empty permission or authentication classes, CSRF exemptions, and
 * DEBUG / ALLOWED_HOSTS / CORS in settings that are not meant for a dev machine.
 */
import type { FileDiff } from "../diff/types.js";
import type { Category, Severity } from "../domain/findings.js";
import { isDevSettings, isPython, isSettingsFile, isTestPath } from "./paths.js";
import { drfDeniesByDefault } from "./project-facts.js";
import { restOfStatement } from "./python-expr.js";
import { fileCodeLines, importLines, isLive, type CodeLine } from "./python-source.js";
import { csrfExempt } from "./csrf-exempt.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "auth-settings";

/**
 * Matches on the live (non-string, non-comment) code, or on a quoted key whose
 * quote is live (`raw` needs the `g` flag).
 */
function liveMatch(line: CodeLine, code: RegExp, raw?: RegExp): boolean {
  if (code.test(line.code)) return true;
  if (!raw) return false;
  return [...line.raw.matchAll(raw)].some((m) => isLive(line, m.index));
}

function statementAdded(lines: readonly CodeLine[], at: number): boolean {
  const span = restOfStatement(lines, at, 0).raw.split("\n").length;
  return lines.slice(at, at + span).some((l) => l.added);
}

/**
 * A rule that fires on an added line of a non-test Python file when `fires` says so;
 * `fires` gets the hunk's lines for statements that span several.
 */
function lineRule(spec: {
  name: string;
  severity: Severity;
  category?: Category;
  title: string;
  body: string;
  settingsOnly?: boolean;
  /** The statement may span lines: fire when any of its lines was added. */
  multiLine?: boolean;
  fires(line: CodeLine, at: number, lines: readonly CodeLine[]): boolean;
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
      if (fact === null) return [];
      const body = fact ? `${spec.body} ${fact}` : spec.body;
      const hits: RuleHit[] = [];
      for (const lines of fileCodeLines(file, ctx.trees)) {
        const imports = importLines(lines);
        lines.forEach((line, at) => {
          if (imports.has(at) || !(line.added || (spec.multiLine && statementAdded(lines, at)))) return;
          if (spec.fires(line, at, lines)) hits.push({ line: line.line, body });
        });
      }
      return hits;
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

/** The statement that encloses line `at`: the nearest earlier line indented less (a class, def or top-level assignment). */
function enclosing(lines: readonly CodeLine[], at: number): string {
  const indent = (l: CodeLine | undefined): number => /^\s*/.exec(l?.code ?? "")?.[0].length ?? 0;
  let level = indent(lines[at]);
  for (let i = at - 1; i >= 0 && level > 0; i--) {
    const l = lines[i];
    if (!l || !l.code.trim() || indent(l) >= level) continue;
    level = indent(l);
    if (/^\s*(?:class|def)\s/.test(l.code) || level === 0) return l.code.trim();
  }
  return "";
}

/**
 * Opting out is deliberate here: a view public by purpose, a line documented by
 * a comment, the class that defines AllowAny, or a settings dict that is not
 * the project's `REST_FRAMEWORK` (a library's own defaults).
 */
function deliberate(line: CodeLine, at: number, lines: readonly CodeLine[]): boolean {
  if (/^\s*class\s+AllowAny\b/.test(line.code) || /#/.test(line.raw.slice(line.code.trimEnd().length))) return true;
  const outer = enclosing(lines, at);
  const cls = /^class\s+(\w+)/.exec(outer)?.[1];
  if (cls && PUBLIC_BY_PURPOSE.test(cls)) return true;
  return /^[A-Z_]+\s*=/.test(outer) && !/^REST_FRAMEWORK\s*=/.test(outer);
}

const allowAny = lineRule({
  name: "allow-any",
  severity: "medium",
  title: "DRF `AllowAny` permission",
  body:
    "`AllowAny` lets unauthenticated clients call this endpoint (or, in `DEFAULT_PERMISSION_CLASSES`, every " +
    "endpoint that does not override it). If the view is meant to be public (login, health check, webhook " +
    "with its own signature check) say so in a comment; otherwise use `IsAuthenticated` or a tenant-aware permission.",
  fires: (line, at, lines) => liveMatch(line, /\bAllowAny\b/, /["']rest_framework\.permissions\.AllowAny["']/g) && !deliberate(line, at, lines),
  fact: underDefaults,
});

const emptyPermissions = lineRule({
  name: "empty-permission-classes",
  severity: "high",
  title: "Empty `permission_classes`",
  body:
    "An empty `permission_classes` disables every permission check for the view: anyone, authenticated or " +
    "not, may call it. Set the permission the endpoint needs (`[IsAuthenticated]`, an object/tenant permission), " +
    "or `[AllowAny]` explicitly if it is really public.",
  fires: (line, at, lines) =>
    !deliberate(line, at, lines) &&
    liveMatch(
      line,
      /\bpermission_classes\s*=\s*[[(]\s*[\])]|@permission_classes\(\s*[[(]\s*[\])]\s*\)/,
      /["']DEFAULT_PERMISSION_CLASSES["']\s*:\s*[[(]\s*[\])]/g,
    ),
  fact: underDefaults,
});

const emptyAuthentication = lineRule({
  name: "empty-authentication-classes",
  severity: "medium",
  title: "Empty `authentication_classes`",
  body:
    "With no authentication classes `request.user` is always anonymous, so object ownership and tenant checks " +
    "that rely on it silently pass or fail, and session CSRF protection is not applied. Keep the defaults unless " +
    "the endpoint authenticates by other means (e.g. a verified webhook signature), and document that.",
  fires: (line, at, lines) =>
    !deliberate(line, at, lines) &&
    liveMatch(
      line,
      /\bauthentication_classes\s*=\s*[[(]\s*[\])]|@authentication_classes\(\s*[[(]\s*[\])]\s*\)/,
      /["']DEFAULT_AUTHENTICATION_CLASSES["']\s*:\s*[[(]\s*[\])]/g,
    ),
});

const debugTrue = lineRule({
  name: "debug-true",
  severity: "high",
  title: "`DEBUG = True` in deployable settings",
  settingsOnly: true,
  body:
    "With `DEBUG = True` Django serves detailed error pages with settings, environment and source excerpts to " +
    "anyone who triggers an error, and keeps every SQL query in memory. Read it from the environment with a " +
    "`False` default (`DEBUG = env.bool(\"DEBUG\", default=False)`) and set it only in dev settings.",
  fires: (line) => /^\s*DEBUG\s*=\s*True\b/.test(line.code),
});

const allowedHostsWildcard = lineRule({
  name: "allowed-hosts-wildcard",
  severity: "medium",
  title: "`ALLOWED_HOSTS` accepts any host",
  settingsOnly: true,
  multiLine: true,
  body:
    "`\"*\"` in `ALLOWED_HOSTS` turns off Host header validation, which enables password-reset link poisoning " +
    "and cache poisoning through forged `Host` headers. List the real domains (with django-tenants, the tenant " +
    "domain suffix such as `\".example.com\"`), read from the environment.",
  fires: (line, at, lines) =>
    /^\s*ALLOWED_HOSTS\s*\+?=/.test(line.code) && /["']\*["']/.test(restOfStatement(lines, at, 0).raw),
});

const corsAllowAll = lineRule({
  name: "cors-allow-all",
  severity: "high",
  title: "CORS allows every origin",
  settingsOnly: true,
  body:
    "`CORS_ALLOW_ALL_ORIGINS` lets any website call the API from a user's browser and read the responses; with " +
    "`CORS_ALLOW_CREDENTIALS` that includes the user's session. Use `CORS_ALLOWED_ORIGINS` (or " +
    "`CORS_ALLOWED_ORIGIN_REGEXES` for tenant subdomains) with the front-end origins only.",
  fires: (line) => /^\s*(?:CORS_ALLOW_ALL_ORIGINS|CORS_ORIGIN_ALLOW_ALL)\s*=\s*True\b/.test(line.code),
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
