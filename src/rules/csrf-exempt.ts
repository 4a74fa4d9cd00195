/**
 * `csrf_exempt` where it opens a hole: a cookie-authenticated view that changes
 * state. DRF views (`@api_view`, `APIView`, viewsets) are exempt already and
 * enforce CSRF themselves for session users, and a view that only answers safe
 * methods (GET/HEAD/OPTIONS) has nothing to forge, so neither fires.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython, isTestPath } from "./paths.js";
import { changedLines, changeMentions } from "./diff-lines.js";
import { ancestor, kids, lineOf, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const DRF_CLASS = /(?:APIView|ViewSet|ViewSetMixin)$/;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SAFE_HANDLERS = new Set(["get", "head", "options"]);

/** Decorators of a decorated definition, as written. */
function decorators(def: Node | undefined): string[] {
  return kids(def?.parent?.type === "decorated_definition" ? def.parent : undefined)
    .filter((d) => d.type === "decorator")
    .map((d) => d.text);
}

function safeMethodsOnly(decorator: Node): boolean {
  const call = kids(decorator).find((c) => c.type === "call");
  if (!call || !/require_http_methods$/.test(call.childForFieldName("function")?.text ?? "")) return false;
  const list = unwrap(kids(call.childForFieldName("arguments"))[0]);
  const methods = kids(list).map((m) => stringValue(m)?.toUpperCase());
  return methods.length > 0 && methods.every((m) => m !== undefined && SAFE_METHODS.has(m));
}

/** Why a view needs no CSRF check, or undefined when it does. */
function exemptAnyway(def: Node | undefined): string | undefined {
  if (!def) return undefined;
  const decos = decorators(def);
  if (decos.some((d) => /^@(?:\w+\.)*api_view\b/.test(d))) return "drf";
  if (decos.some((d) => /^@(?:\w+\.)*require_(?:GET|safe)\b/.test(d))) return "safe";
  const decoNodes = kids(def.parent?.type === "decorated_definition" ? def.parent : undefined).filter((d) => d.type === "decorator");
  if (decoNodes.some(safeMethodsOnly)) return "safe";
  if (def.type !== "class_definition") return undefined;
  const bases = kids(def.childForFieldName("superclasses")).map((b) => b.text.split(".").pop() ?? "");
  if (bases.some((b) => DRF_CLASS.test(b))) return "drf";
  const handlers = kids(def.childForFieldName("body"))
    .map((s) => (s.type === "decorated_definition" ? s.childForFieldName("definition") : s))
    .filter((s): s is Node => s?.type === "function_definition")
    .map((f) => f.childForFieldName("name")?.text ?? "")
    .filter((n) => ["get", "post", "put", "patch", "delete", "head", "options", "dispatch"].includes(n));
  return handlers.length > 0 && handlers.every((h) => SAFE_HANDLERS.has(h)) ? "safe" : undefined;
}

/** `csrf_exempt(SomeAPIView.as_view())` / `csrf_exempt(viewset.as_view({...}))` in a URLconf. */
function wrapsDrfView(use: Node): boolean {
  const call = use.parent?.type === "call" && use.parent.childForFieldName("function")?.id === use.id ? use.parent : undefined;
  const arg = call ? kids(call.childForFieldName("arguments"))[0]?.text ?? "" : "";
  return /(?:APIView|ViewSet)\b[\s\S]*\.as_view\s*\(|\.as_view\s*\(\s*\{/.test(arg);
}

/**
 * Endpoints that other sites are meant to POST to and that authenticate without
 * the user's cookies: OAuth/OpenID/SAML callbacks, token endpoints, webhooks.
 */
const NON_COOKIE_ENDPOINT = /callback|webhook|hook|token|revoke|introspect|userinfo|oauth|openid|saml|acs|sso|slo|notify|ipn|jwks/i;
/** A decorator that authenticates the request itself (API key, signature, HTTP auth); `login_required` is a session. */
const OWN_AUTH = /^@(?!.*(?:login_required|permission_required))[\w.]*(?:auth|api_?key|signature|signed|hmac|verify|basic)\w*/i;

/** A comment on the line, or on the line above, saying why: the author has considered it. */
function documented(lines: readonly string[], line: number): boolean {
  // Three words after the `#` (counted, not matched: `#\s*\S+\s+\S+\s+\S+` backtracks quadratically on a run of `#`).
  const words = (text: string | undefined): boolean => {
    const at = (text ?? "").indexOf("#");
    return at >= 0 && text!.slice(at + 1).split(/\s+/).filter(Boolean).length >= 3;
  };
  const same = lines[line - 1] ?? "";
  return (same.includes("#") && words(same.slice(same.indexOf("#")))) || /^\s*#/.test(lines[line - 2] ?? "") && words(lines[line - 2]);
}

/** The view a `csrf_exempt` use applies to, by name, and whether something else already vouches for it. */
function vouchedFor(id: Node, lines: readonly string[]): boolean {
  if (documented(lines, lineOf(id))) return true;
  // `return csrf_exempt(view)` inside `as_view`: a framework wrapping every view it builds.
  if (ancestor(id, "function_definition")?.childForFieldName("name")?.text === "as_view") return true;
  const deco = ancestor(id, "decorator");
  const def = deco?.parent?.childForFieldName("definition") ?? undefined;
  const target = def ? (def.childForFieldName("name")?.text ?? "") : (lines[lineOf(id) - 1] ?? "");
  if (NON_COOKIE_ENDPOINT.test(target)) return true;
  if (def === undefined) return false;
  // The body checks a signature or a signed form itself (`verified_data()`, `compare_digest`).
  return decorators(def).some((d) => OWN_AUTH.test(d)) || /\b(?:verif\w*|signed_\w+|\w*signature\w*|hmac|compare_digest)\b/i.test(def.childForFieldName("body")?.text ?? "");
}

/** The `csrf_exempt` uses the change added, with what they apply to. */
function exemptions(file: FileDiff, ctx: RuleContext): Node[] {
  if (!changeMentions(file, /csrf_exempt/)) return [];
  const tree = ctx.trees.get(file, "new");
  const changed = changedLines(file);
  const lines = tree?.rootNode.text.split("\n") ?? [];
  return nodesOf(tree?.rootNode, "identifier").filter((id) => {
    if (id.text !== "csrf_exempt" || !changed.has(lineOf(id))) return false;
    if (ancestor(id, "import_from_statement", "import_statement")) return false;
    if (vouchedFor(id, lines)) return false;
    if (id.parent?.type === "function_definition" && id.parent.childForFieldName("name")?.id === id.id) return false;
    const deco = ancestor(id, "decorator");
    if (deco) return exemptAnyway(deco.parent?.childForFieldName("definition") ?? undefined) === undefined;
    return !wrapsDrfView(id);
  });
}

/** `csrf_exempt` on a view that changes state with cookie authentication. */
export const csrfExempt: Rule = {
  id: "auth-settings/csrf-exempt",
  family: "auth-settings",
  defaultSeverity: "medium",
  category: "security",
  title: "View exempted from CSRF protection",
  appliesTo: (path) => isPython(path) && !isTestPath(path),
  check: (file, ctx) =>
    exemptions(file, ctx).map(
      (id): RuleHit => ({
        line: lineOf(id),
        body:
          "`csrf_exempt` lets any web page the user visits submit this request with the user's cookies (CSRF). " +
          "It is only right for endpoints that do not use cookie sessions (token/HMAC-authenticated APIs, signed " +
          "webhooks); otherwise remove it and send the CSRF token from the client. (DRF views and GET-only views " +
          "are not reported: DRF handles CSRF itself, and safe methods change nothing.)",
      }),
    ),
};
