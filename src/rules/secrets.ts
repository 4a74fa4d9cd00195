/**
 * Hardcoded secrets. Shares its patterns with the redaction (src/diff/secret-patterns.ts)
 * so what is reported and what is hidden from the model never disagree. A finding
 * names the variable, never the value: titles and bodies are posted on GitHub.
 */
import { scanLines, type SecretKind, type SecretMatch } from "../diff/secret-patterns.js";
import type { FileDiff } from "../diff/types.js";
import { isConfigFile, isPython, isTestPath } from "./paths.js";
import { fileCodeLines, type CodeLine } from "./python-source.js";
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

/**
 * In Python, a generic `NAME = "..."` counts only as live code: a commented-out
 * example, or a string that merely contains such an assignment, is documentation.
 * Known formats count anywhere, since a real token in a comment is just as leaked.
 */
function isLive(s: Spotted, line: CodeLine | undefined): boolean {
  if (!line) return true;
  // A `#` the tree blanked outside any literal starts a comment.
  const inComment = s.text.split("").some((c, i) => c === "#" && i < s.match.start && line.code[i] === " " && !line.literals.some((l) => l.start <= i && i < l.end));
  if (inComment) return false;
  // The value's opening quote survives masking only if it opens a literal of its own.
  return s.match.kind === "url-password" || /["']/.test(line.code[s.match.start - 1] ?? "");
}

/** The new side's code line `line` of a Python file, when its tree could be built. */
function codeLineAt(file: FileDiff, ctx: RuleContext, line: number): CodeLine | undefined {
  return fileCodeLines(file, ctx.trees).flat().find((l) => l.line === line);
}

const COMPOSE = /^(?:docker-)?compose[\w.-]*\.ya?ml$/;

const appliesTo = (path: string): boolean => (isPython(path) || isConfigFile(path)) && !isTestPath(path);

const ROTATE =
  "Anyone with read access to the repository (and its forks and clones) has it now: revoke and rotate it " +
  "first, then load it at run time (`os.environ[...]`, `env(...)`, a secrets manager) and keep a placeholder " +
  "such as `<SECRET_FROM_VAULT>` in code and examples. Deleting it in a later commit does not remove it from history.";

function title(s: Spotted): string {
  const name = holder(s);
  return name ? `${LABEL[s.match.kind]} committed in \`${name}\`` : `${LABEL[s.match.kind]} committed in the source`;
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
        title: title(s),
        body: `This line adds what has the exact format of a live ${LABEL[s.match.kind]} (the value is not repeated here). ${ROTATE}`,
      })),
};

/** `BadDeviceToken: "BadDeviceToken"`: the value spells its own key, an error or enum name, not a credential. */
function namesItself(s: Spotted): boolean {
  const value = s.text.slice(s.match.start, s.match.end).replace(/^["']|["']$/g, "");
  const name = holder(s)?.split(".").pop();
  return name !== undefined && value.toLowerCase().endsWith(name.toLowerCase());
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
    return spot(file)
      .filter((s) => !KNOWN.has(s.match.kind) && !namesItself(s) && isLive(s, isPython(file.path) ? codeLineAt(file, ctx, s.line) : undefined))
      .map((s): RuleHit => ({
        line: s.line,
        title: title(s),
        body:
          s.match.kind === "url-password"
            ? `A connection URL on this line carries its password in the source. ${ROTATE}`
            : `\`${holder(s) ?? "This value"}\` is assigned a literal that looks like a real credential, not a placeholder or an environment read. ${ROTATE}`,
      }));
  },
};

/** The secrets family. */
export const SECRET_RULES: readonly Rule[] = [knownToken, hardcoded];
