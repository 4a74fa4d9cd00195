/**
 * Secrets in use rather than in the source: compared with `==` (the time taken
 * tells an attacker how many leading characters matched), or written to logs and
 * responses, whole or as a slice (a key prefix narrows the search and ties a
 * leaked log line to a live key).
 */
import type { FileDiff } from "../diff/types.js";
import { isPython } from "./paths.js";
import { changedLines, changeMentions } from "./diff-lines.js";
import { MAX_DEPTH, ancestor, calleeText, kids, lineOf, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "secrets";

/** Names that hold a credential; `token_type`, `api_key_id`, `secret_name` do not. */
const SECRET_NAME = /(?:^|_)(?:api_?key|apikey|secret(?:_key)?|token|signature|sig|hmac|digest|key_hash|client_secret|private_key|password|passwd|otp|nonce)$/i;
const NOT_SECRET = /(?:_|^)(?:id|ids|name|type|count|len|length|url|kind|header|field|prefix_len|expiry|expires|at|model|class|obj|set|list|created)$/i;

/** The name an expression reads a value from: `token`, `self.api_key`, `headers["X-Signature"]`, `key[:8]`. */
function holderName(node: Node | null | undefined, depth = 0): string | undefined {
  const n = unwrap(node);
  if (!n || depth > MAX_DEPTH) return undefined;
  if (n.type === "identifier") return n.text;
  if (n.type === "attribute") return n.childForFieldName("attribute")?.text;
  if (n.type === "subscript") {
    const key = stringValue(n.childForFieldName("subscript"));
    return key !== undefined ? key.replace(/^x-/i, "").replace(/-/g, "_") : holderName(n.childForFieldName("value"), depth + 1);
  }
  if (n.type === "call" && /\.get$/.test(calleeText(n))) {
    const key = stringValue(kids(n.childForFieldName("arguments"))[0]);
    return key?.replace(/^(?:HTTP_)?x-/i, "").replace(/-/g, "_");
  }
  return undefined;
}

function isSecretName(name: string | undefined): name is string {
  return name !== undefined && SECRET_NAME.test(name) && !NOT_SECRET.test(name);
}

/** Operands that make a comparison harmless: None, constants, lengths, booleans. */
function isConstant(node: Node | null | undefined): boolean {
  const n = unwrap(node);
  if (!n) return true;
  return ["none", "true", "false", "integer", "float", "string", "concatenated_string"].includes(n.type) || (n.type === "call" && /^(?:len|bool|int)$/.test(calleeText(n)));
}

function hitsIn(file: FileDiff, ctx: RuleContext, mention: RegExp, types: string, pick: (n: Node) => RuleHit | undefined): RuleHit[] {
  if (!changeMentions(file, mention)) return [];
  const changed = changedLines(file);
  return nodesOf(ctx.trees.get(file, "new")?.rootNode, types).flatMap((n) => {
    if (!changed.has(lineOf(n))) return [];
    const hit = pick(n);
    return hit ? [hit] : [];
  });
}

const compare: Rule = {
  id: `${FAMILY}/non-constant-time-compare`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "security",
  title: "Secret compared with `==`/`!=` (timing leak)",
  appliesTo: isPython,
  skipsTests: true,
  check: (file, ctx) =>
    hitsIn(file, ctx, /[=!]=/, "comparison_operator", (cmp) => {
      const ops = cmp.children.filter((c) => c?.type === "==" || c?.type === "!=");
      const op = ops[0]?.type;
      const [left, right] = kids(cmp);
      if (ops.length !== 1 || kids(cmp).length !== 2 || isConstant(left) || isConstant(right)) return undefined;
      const name = [holderName(left), holderName(right)].find(isSecretName);
      // A password is checked by Django's hashers; a raw compare of one is a different bug.
      if (!name || /pass/i.test(name)) return undefined;
      return {
        line: lineOf(cmp),
        title: `\`${name}\` compared with \`${op ?? "=="}\`: use a constant-time comparison`,
        body:
          `\`==\`/\`!=\` on strings stops at the first differing character, so the response time tells an attacker how much of ` +
          `a guessed \`${name}\` is right, and the secret can be found character by character. Compare with ` +
          "`hmac.compare_digest(a, b)` (or `secrets.compare_digest`); better, store a hash of the key and compare hashes.",
      };
    }),
};

const LOG_CALL = /^(?:\w*log(?:ger)?|logging|LOGGER|self\.log(?:ger)?)\.(?:debug|info|warning|warn|error|exception|critical|log)$|^print$/;
const RESPONSE_CALL = /(?:^|\.)(?:Response|JsonResponse|HttpResponse)$/;
/** Calls that make a value safe to show: hashing, masking, lengths. */
const SAFE_WRAPPER = /(?:hash|mask|redact|len|sha\d*|md5|bool|type|id)$/i;

/** Inside a hashing or masking call between `n` and the logging call. */
function wrappedSafely(n: Node, call: Node): boolean {
  for (let p = ancestor(n, "call"); p && p.id !== call.id; p = ancestor(p, "call")) if (SAFE_WRAPPER.test(calleeText(p))) return true;
  return false;
}

/** The first secret read inside a call's arguments, and whether it is a slice. */
function leakedSecret(call: Node): { name: string; slice: boolean } | undefined {
  for (const n of nodesOf(call.childForFieldName("arguments"), ["identifier", "attribute", "subscript"])) {
    if (n.parent?.type === "attribute" && n.parent.childForFieldName("object")?.id !== n.id) continue;
    if (n.parent?.type === "keyword_argument" && n.parent.childForFieldName("name")?.id === n.id) continue;
    if (wrappedSafely(n, call)) continue;
    const name = holderName(n);
    if (n.type !== "subscript" && n.parent?.type === "subscript") continue;
    if (isSecretName(name)) return { name, slice: n.type === "subscript" && n.childForFieldName("subscript")?.type === "slice" };
  }
  return undefined;
}

const leaked: Rule = {
  id: `${FAMILY}/secret-logged-or-returned`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "Key or token (or a slice of one) logged or returned",
  appliesTo: isPython,
  skipsTests: true,
  check: (file, ctx) =>
    hitsIn(file, ctx, /log|print|Response/, "call", (call) => {
      const callee = calleeText(call);
      const log = LOG_CALL.test(callee);
      if (!log && !RESPONSE_CALL.test(callee)) return undefined;
      const secret = leakedSecret(call);
      if (!secret) return undefined;
      // An endpoint that issues the credential returns it once, whole: that is its job.
      const owner = ancestor(call, "class_definition")?.childForFieldName("name")?.text ?? ancestor(call, "function_definition")?.childForFieldName("name")?.text ?? "";
      if (!log && !secret.slice && /obtain|issue|login|token|create|generate|rotate|regenerate/i.test(owner)) return undefined;
      const what = secret.slice ? `a slice of \`${secret.name}\`` : `\`${secret.name}\``;
      return {
        line: lineOf(call),
        title: `${secret.slice ? "Part of " : ""}\`${secret.name}\` ${log ? "written to the log" : "returned to the client"}`,
        body:
          `This ${log ? "logs" : "returns"} ${what}. ${log ? "Logs are kept, shipped and read by many more people than the key's owner" : "Anything in a response ends up in browser history, proxies and client logs"}` +
          `${secret.slice ? ", and a prefix narrows a brute force and ties the line to a live key" : ""}. ` +
          "Log or return an identifier of the key (its id, or a hash) instead; show a new key once, at creation, and never again.",
      };
    }),
};

/** Secrets handled unsafely at run time. */
export const SECRET_HANDLING_RULES: readonly Rule[] = [compare, leaked];
