/**
 * Hardcoded secrets. Shares its patterns with the redaction (src/diff/secret-patterns.ts)
 * so what is reported and what is hidden from the model never disagree. A finding
 * names the variable, never the value: titles and bodies are posted on GitHub.
 */
import { findSecrets, scanLines, secretKindFor, type SecretKind, type SecretMatch } from "../diff/secret-patterns.js";
import type { FileDiff } from "../diff/types.js";
import { isConfigFile, isPython, isTestPath } from "./paths.js";
import { bindings, isDocString } from "./python-bindings.js";
import { changedLines, changeMentions, touchedLine } from "./diff-lines.js";
import { ancestor, kids, lineOf, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "secrets";

const LABEL: Record<SecretKind, string> = {
  "aws-access-key-id": "AWS access key ID",
  "aws-secret-key": "AWS secret access key",
  "github-token": "GitHub token",
  "anthropic-api-key": "Anthropic API key",
  "slack-token": "Slack token",
  "slack-webhook": "Slack webhook URL",
  "stripe-secret-key": "Stripe live secret key",
  "google-api-key": "Google API key",
  "private-key": "Private key",
  "url-password": "Password in a connection URL",
  "generic-secret": "Hardcoded secret",
};

const KNOWN = new Set<SecretKind>(Object.keys(LABEL) as SecretKind[]);
KNOWN.delete("url-password");
KNOWN.delete("generic-secret");

interface Spotted {
  line: number;
  text: string;
  match: SecretMatch;
}

/** Both rules of the family scan the same file: scan it once. */
const SPOTTED = new WeakMap<FileDiff, Spotted[]>();

/** Secrets on added lines of the new side, one per line (the first), continuations skipped. */
function spot(file: FileDiff): Spotted[] {
  const cached = SPOTTED.get(file);
  if (cached) return cached;
  const spotted: Spotted[] = [];
  const bareValues = !isPython(file.path);
  for (const hunk of file.hunks) {
    const lines = hunk.lines.filter((l) => l.kind !== "del");
    const found = scanLines(lines.map((l) => l.text), { bareValues });
    lines.forEach((l, i) => {
      const match = (found[i] ?? []).find((m) => !m.continuation);
      if (l.kind === "add" && l.newLine !== undefined && match) spotted.push({ line: l.newLine, text: l.text, match });
    });
  }
  SPOTTED.set(file, spotted);
  return spotted;
}

/** Where the value lives, for the title: the name it is assigned to, else the statement's target. */
function holder(s: Spotted): string | undefined {
  return s.match.name ?? /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*[=:]/.exec(s.text)?.[1];
}

/** A hardcoded secret to report: its line, what it is and the name holding it. */
interface Found {
  line: number;
  kind: SecretKind;
  name?: string | undefined;
}

/** Worth a look in the tree: a credential-like name (what `isSecretName` accepts), a URL with a user part. */
const SECRET_NAMED = /secret|passw|passphrase|token|(?:encryption|signing|private|api|access|auth)[_-]?key/i;
const USER_URL = /:\/\/[^\s/]*@/;

/** The string constants a binding's value stands for: the literal, or either branch of `"…" if DEBUG else env(…)`. */
function literals(value: Node): Node[] {
  const v = unwrap(value);
  if (v?.type === "conditional_expression") return kids(v).filter((c) => stringValue(c) !== undefined);
  return v && stringValue(v) !== undefined ? [v] : [];
}

/**
 * Python: a string literal bound to a credential-like name (`NAME = "…"`, `name="…"`,
 * `{"PASSWORD": "…"}`, the literal possibly on its own line), or a string holding a
 * URL with a password. Comments, docstrings and strings that merely contain such an
 * assignment are not bindings. Lines where a known token fires are that rule's.
 */
function pythonSecrets(file: FileDiff, ctx: RuleContext): Found[] {
  const [named, urls] = [changeMentions(file, SECRET_NAMED), changeMentions(file, USER_URL)];
  if (!named && !urls) return [];
  const root = ctx.trees.get(file, "new")?.rootNode;
  const changed = changedLines(file);
  const taken = new Set(spot(file).filter((s) => KNOWN.has(s.match.kind)).map((s) => s.line));
  const found = new Map<number, Found>();
  const add = (line: number | undefined, f: Omit<Found, "line">): void => {
    if (line !== undefined && !taken.has(line) && !found.has(line)) found.set(line, { line, ...f });
  };
  for (const b of named ? bindings(root) : []) {
    for (const lit of literals(b.value)) {
      const value = stringValue(lit) ?? "";
      if (secretKindFor(b.name, value) !== "generic-secret" || namesItself(value, b.name)) continue;
      add(touchedLine(lit, file) ?? (changed.has(lineOf(b.node)) ? lineOf(b.node) : undefined), { kind: "generic-secret", name: b.name });
    }
  }
  for (const str of urls ? nodesOf(root, "string") : []) {
    if (!str.text.includes("@") || ancestor(str, "string") || isDocString(str)) continue;
    const value = stringValue(str);
    if (value === undefined || !findSecrets(value).some((m) => m.kind === "url-password")) continue;
    const target = ancestor(str, "assignment")?.childForFieldName("left")?.text;
    add(touchedLine(str, file), { kind: "url-password", name: target && /^[\w.]+$/.test(target) ? target : undefined });
  }
  return [...found.values()].sort((a, b) => a.line - b.line);
}

const COMPOSE = /^(?:docker-)?compose[\w.-]*\.ya?ml$/;

const appliesTo = (path: string): boolean => (isPython(path) || isConfigFile(path)) && !isTestPath(path);

const ROTATE =
  "Anyone with read access to the repository (and its forks and clones) has it now: revoke and rotate it " +
  "first, then load it at run time (`os.environ[...]`, `env(...)`, a secrets manager) and keep a placeholder " +
  "such as `<SECRET_FROM_VAULT>` in code and examples. Deleting it in a later commit does not remove it from history.";

function title(kind: SecretKind, name: string | undefined): string {
  return name ? `${LABEL[kind]} committed in \`${name}\`` : `${LABEL[kind]} committed in the source`;
}

const knownToken: Rule = {
  id: `${FAMILY}/known-token`,
  family: FAMILY,
  defaultSeverity: "critical",
  category: "security",
  title: "Credential in a known token format committed",
  appliesTo,
  check: (file) =>
    spot(file)
      .filter((s) => KNOWN.has(s.match.kind))
      .map((s): RuleHit => ({
        line: s.line,
        title: title(s.match.kind, holder(s)),
        body: `This line adds what has the exact format of a live ${LABEL[s.match.kind]} (the value is not repeated here). ${ROTATE}`,
      })),
};

/** `BadDeviceToken: "BadDeviceToken"`: the value spells its own key, an error or enum name, not a credential. */
function namesItself(value: string, holderName: string | undefined): boolean {
  const name = holderName?.split(".").pop();
  return name !== undefined && value.toLowerCase().endsWith(name.toLowerCase());
}

/** Text files: the shared line scan, minus known formats (the other rule) and self-naming values. */
function textSecrets(file: FileDiff): Found[] {
  return spot(file)
    .filter((s) => !KNOWN.has(s.match.kind) && !namesItself(s.text.slice(s.match.start, s.match.end).replace(/^["']|["']$/g, ""), holder(s)))
    .map((s) => ({ line: s.line, kind: s.match.kind, name: holder(s) }));
}

const hardcoded: Rule = {
  id: `${FAMILY}/hardcoded-secret`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "Hardcoded secret, password or token",
  appliesTo,
  check(file, ctx) {
    // Compose files describe throw-away local stacks (`POSTGRES_PASSWORD: devpass1`); known tokens still fire there.
    if (COMPOSE.test(file.path.slice(file.path.lastIndexOf("/") + 1))) return [];
    return (isPython(file.path) ? pythonSecrets(file, ctx) : textSecrets(file)).map((f): RuleHit => ({
      line: f.line,
      title: title(f.kind, f.name),
      body:
        f.kind === "url-password"
          ? `A connection URL on this line carries its password in the source. ${ROTATE}`
          : `\`${f.name ?? "This value"}\` is assigned a literal that looks like a real credential, not a placeholder or an environment read. ${ROTATE}`,
    }));
  },
};

/** The secrets family. */
export const SECRET_RULES: readonly Rule[] = [knownToken, hardcoded];
