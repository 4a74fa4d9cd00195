/**
 * Secret detection, written once and shared by the redaction (what may leave the
 * process) and the hardcoded-secret rule (what gets reported). Works on text lines
 * only: it knows no diff, no GitHub and no file system.
 */

/** What a secret is, as it appears in `<redacted:KIND>` and in findings. */
export type SecretKind =
  | "aws-access-key-id"
  | "aws-secret-key"
  | "github-token"
  | "anthropic-api-key"
  | "slack-token"
  | "slack-webhook"
  | "stripe-secret-key"
  | "google-api-key"
  | "private-key"
  | "url-password"
  | "generic-secret";

/** A secret on one line: `line.slice(start, end)` is the value to hide (may be empty for a PEM header). */
export interface SecretMatch {
  kind: SecretKind;
  start: number;
  end: number;
  /** The variable, key or keyword the secret is assigned to, when there is one. */
  name?: string | undefined;
  /** A body line of a multi-line private key: redacted, but the key is reported once, at its header. */
  continuation?: boolean | undefined;
}

/** Options of {@link findSecrets}. */
export interface SecretScanOptions {
  /**
   * Also read unquoted values (`TOKEN=abc` in dotenv, `password: abc` in YAML).
   * Off for Python, where an unquoted value is a name or an expression, not data.
   */
  bareValues?: boolean;
}

/** Known formats: the prefix makes them secrets wherever they appear. */
const TOKENS: ReadonlyArray<{ kind: SecretKind; re: RegExp }> = [
  { kind: "aws-access-key-id", re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: "github-token", re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { kind: "github-token", re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: "anthropic-api-key", re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: "slack-token", re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: "slack-webhook", re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,}/g },
  { kind: "stripe-secret-key", re: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/g },
  { kind: "google-api-key", re: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g },
];

/**
 * `NAME = "value"`, `name="value"`, `NAME: str = "value"`, `"NAME": "value"` (dict, JSON, YAML).
 * Linear: the type annotation is one character class (it was a lazy class followed by
 * `\s*`, two ways to read every space: quadratic on `x: a` + spaces), and each
 * start's scan ends at the next colon or at the closing quote.
 */
const QUOTED_ASSIGNMENT =
  /(?<![\w.-])(?:"([\w.-]+)"|'([\w.-]+)'|([A-Za-z_][\w.-]*))\s*(?::\s*[A-Za-z_][\w[\].,|\s]*)?(?:=|:)\s*[bBrRuU]{0,2}(["'])((?:\\.|(?!\4)[^\\])*)\4/g;
/**
 * `NAME=value` / `- NAME=value` / `name: value` as a whole line. The comment runs to
 * the end of the input (`[\s\S]*`): with `.*`, a line terminator after a run of `#`
 * made every `#` retry the rest of the line.
 */
const BARE_ASSIGNMENT = /^\s*(?:-\s*)?(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[=:]\s*([^\s'"#][^\s'"]*)\s*(?:#[\s\S]*)?$/;
/** `scheme://user:password@host`: the password part. */
const URL_PASSWORD = /(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/@'"]*:([^\s@'"/]+)@/g;

const SECRET_NAME =
  /(?:^|_)(?:secret_?key|encryption_?key|signing_?key|private_?key|api_?key|access_?key|auth_?key|client_?secret|secret|password|passwd|passphrase|token)$/;

const PLACEHOLDER_WORDS =
  /changeme|change_me|change-me|changeit|placeholder|example|dummy|fake|sample|your[_-]|replace|todo|fixme|redacted|secret_from|env_var|notasecret|not-a-secret|xxxx|\*\*\*/i;

/** Whether an assignment target is named like a credential (`DB_PASSWORD`, `apiToken`). */
export function isSecretName(name: string): boolean {
  const last = name.slice(name.lastIndexOf(".") + 1);
  const snake = last.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/-/g, "_").toLowerCase();
  return SECRET_NAME.test(snake);
}

function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

/** Placeholders and templating: `<SECRET_FROM_VAULT>`, `${VAR}`, `{{ var }}`, `%(x)s`, `changeme`, `xxx`. */
export function isPlaceholder(value: string): boolean {
  return value.trim() === "" || /[<>]|\$\{|\$[A-Z_]|\{\{|%\(|^\{.*\}$/.test(value) || PLACEHOLDER_WORDS.test(value);
}

/**
 * A literal that reads like a real credential rather than a word, a path, a module
 * name or a placeholder: 8+ characters, no spaces, two character classes and enough entropy.
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 8 || value.length > 500 || /\s/.test(value) || isPlaceholder(value)) return false;
  if (/^(?:https?:\/\/|\/|\.\/|~\/)/.test(value) || /^[a-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(value)) return false;
  // snake/kebab-case words (`password_reset_token_v2`) name things; credentials are not spelled like that.
  if (/^[a-z]{2,}(?:[_.-][a-z]+\d{0,3})+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9_.-]/].filter((re) => re.test(value)).length;
  return classes >= 2 && entropy(value) >= 3;
}

/** A known-format token whose random part is `xxxx…` or `0000…` is an example. */
function tooRegular(token: string): boolean {
  return new Set(token.slice(4)).size < 6;
}

function assignmentMatches(line: string, opts: SecretScanOptions): SecretMatch[] {
  const out: SecretMatch[] = [];
  for (const m of line.matchAll(QUOTED_ASSIGNMENT)) {
    const name = m[1] ?? m[2] ?? m[3] ?? "";
    const value = m[5] ?? "";
    const start = m.index + m[0].length - 1 - value.length;
    const kind = secretKindFor(name, value);
    if (kind) out.push({ kind, start, end: start + value.length, name });
  }
  const bare = opts.bareValues ? BARE_ASSIGNMENT.exec(line) : null;
  if (bare?.[1] && bare[2]) {
    const start = line.lastIndexOf(bare[2]);
    const kind = secretKindFor(bare[1], bare[2]);
    if (kind) out.push({ kind, start, end: start + bare[2].length, name: bare[1] });
  }
  for (const m of line.matchAll(URL_PASSWORD)) {
    const pw = m[1] ?? "";
    const start = m.index + m[0].length - 1 - pw.length;
    if (looksLikeSecret(pw)) out.push({ kind: "url-password", start, end: start + pw.length });
  }
  return out;
}

/** What a literal assigned to `name` is: a credential by its name and look, or undefined. */
export function secretKindFor(name: string, value: string): SecretKind | undefined {
  const lower = name.toLowerCase();
  if (lower.includes("aws") && lower.includes("secret") && /^[A-Za-z0-9/+]{40}$/.test(value) && new Set(value).size >= 10) {
    return "aws-secret-key";
  }
  return isSecretName(name) && looksLikeSecret(value) ? "generic-secret" : undefined;
}

/** Lower number wins when two matches overlap: a known format says more than a name. */
const PRIORITY: Record<SecretKind, number> = {
  "private-key": 0,
  "aws-access-key-id": 1,
  "github-token": 1,
  "anthropic-api-key": 1,
  "slack-token": 1,
  "slack-webhook": 1,
  "stripe-secret-key": 1,
  "google-api-key": 1,
  "aws-secret-key": 2,
  "url-password": 3,
  "generic-secret": 4,
};

/**
 * Keeps the highest-priority match of each overlapping group, in line order. The
 * characters taken so far are marked in a bitmap, so a line with thousands of
 * matches costs their total length, not their count squared.
 */
export function resolveOverlaps(matches: SecretMatch[]): SecretMatch[] {
  if (matches.length < 2) return [...matches];
  const kept: SecretMatch[] = [];
  const ordered = [...matches].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.start - b.start);
  // An empty match (a PEM header) still occupies its position.
  const span = (m: SecretMatch): [number, number] => [m.start, Math.max(m.end, m.start + 1)];
  const taken = new Uint8Array(Math.max(...ordered.map((m) => span(m)[1])) + 1);
  for (const m of ordered) {
    const [from, to] = span(m);
    let free = true;
    for (let i = from; i < to && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, from, to);
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Secrets on one line, PEM blocks aside (see {@link scanLines}). */
export function findSecrets(line: string, opts: SecretScanOptions = {}): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const { kind, re } of TOKENS) {
    for (const m of line.matchAll(re)) {
      if (!tooRegular(m[0])) found.push({ kind, start: m.index, end: m.index + m[0].length });
    }
  }
  const assigned = assignmentMatches(line, opts);
  // A known token assigned to a name keeps the name, so findings can quote it.
  if (assigned.length > 0) for (const t of found) t.name = assigned.find((a) => a.start <= t.start && t.end <= a.end)?.name;
  return resolveOverlaps([...found, ...assigned]);
}

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const B64_RUN = /[A-Za-z0-9+/]{4,}={0,2}/g;
const B64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_HEADERS = ["Proc-Type:", "DEK-Info:", "Comment:"];

const isSpace = (c: string): boolean => c.trim() === "";
/** Decoration before key material: space, quotes, `(`, and `+` of a Python concatenation. */
const isLead = (c: string): boolean => isSpace(c) || c === '"' || c === "'" || c === "(" || c === "+";
/** Decoration after it: space, quotes, `,`, `)` and `+`. */
const isTrail = (c: string): boolean => isSpace(c) || c === '"' || c === "'" || c === "," || c === ")" || c === "+";

/**
 * A line of base64 key material, possibly quoted, `\\n`-escaped or concatenated in
 * Python: decoration, then base64 (or a `Proc-Type:`-style header), then an optional
 * `\\n`, then decoration. Written as a scan, not a regex: the old pattern let `+`
 * belong to the leading decoration, the base64 and the trailing decoration alike, so
 * a line of `+` took cubic time (1,600 characters: 2.3 s).
 */
export function isPemBodyLine(text: string): boolean {
  let from = 0;
  let to = text.length;
  while (from < to && isLead(text[from] ?? "")) from++;
  while (to > from && isTrail(text[to - 1] ?? "")) to--;
  if (text.startsWith("\\n", to - 2) && to - 2 >= from) to -= 2;
  const body = text.slice(from, to);
  if (body === "" || B64_BODY.test(body) || PEM_HEADERS.some((h) => body.startsWith(h))) return true;
  // Material made only of `+` was taken as decoration: `++==` is still a body.
  return /^={1,2}$/.test(body) && text[from - 1] === "+";
}

function base64Chars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) n++;
  }
  return n;
}

/** The key-material runs of a body line (up to `to`), as continuation matches. */
function bodyRuns(text: string, to = text.length): SecretMatch[] {
  return [...text.slice(0, to).matchAll(B64_RUN)].map((m) => ({
    kind: "private-key" as const,
    start: m.index,
    end: m.index + m[0].length,
    continuation: true,
  }));
}

/**
 * Secrets in consecutive lines of one file (a hunk's new or old side): everything
 * {@link findSecrets} finds, plus private-key blocks, whose base64 body spans
 * lines. The key is reported at its `BEGIN` line when a body follows (a header
 * with `<your key here>` is documentation); each body run is a continuation.
 */
export function scanLines(lines: readonly string[], opts: SecretScanOptions = {}): SecretMatch[][] {
  const out = lines.map((line) => findSecrets(line, opts));
  const isBody = (text: string | undefined): boolean => text !== undefined && isPemBodyLine(text);
  let inBlock = false;
  let sawMarker = false;
  lines.forEach((text, i) => {
    const begin = PEM_BEGIN.exec(text);
    const end = PEM_END.exec(text);
    const add = (found: SecretMatch[]): void => {
      out[i] = resolveOverlaps([...(out[i] ?? []), ...found]);
    };
    if (begin) {
      sawMarker = true;
      const from = begin.index + begin[0].length;
      // A one-line literal: "-----BEGIN ...-----\nMIIE...\n-----END ...-----".
      const run = /^(?:\\[nr]|[A-Za-z0-9+/=])+/.exec(text.slice(from, end && end.index >= from ? end.index : undefined))?.[0] ?? "";
      const bodyHere = base64Chars(run.replace(/\\[nr]/g, "")) >= 16;
      const next = lines[i + 1];
      const bodyNext = !end && isBody(next) && base64Chars(next ?? "") >= 16;
      if (bodyHere || bodyNext) add([{ kind: "private-key", start: from, end: from + (bodyHere ? run.length : 0) }]);
      inBlock = !end || end.index < from;
    } else if (inBlock) {
      if (end) add(bodyRuns(text, end.index));
      else if (isBody(text)) add(bodyRuns(text));
      inBlock = !end && isBody(text);
    } else if (end && !sawMarker) {
      // The hunk starts inside a key: the lines before the first END are its body.
      for (let j = i - 1; j >= 0 && isBody(lines[j]); j--) out[j] = resolveOverlaps([...(out[j] ?? []), ...bodyRuns(lines[j] ?? "")]);
      add(bodyRuns(text, end.index));
    }
    if (end) sawMarker = true;
  });
  return out;
}
