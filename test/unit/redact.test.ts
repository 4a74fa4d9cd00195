import { redactFileDiff, redactText } from "../../src/diff/redact.js";
import { toFileDiff } from "../../src/diff/parse-patch.js";
import type { FileDiff } from "../../src/diff/types.js";
import { runRules } from "../../src/rules/index.js";
import { loadFixture } from "./rules/load-fixture.js";

// Token-shaped test values are assembled at run time so that this source file
// itself does not look like a leaked credential to secret scanners.
const j = (...parts: string[]): string => parts.join("");
const AWS_ID = j("AKIA", "Q3EGRU7K5ZW4XH2M");
const AWS_SECRET = j("kX9f2Lq7Zt1Bv8Nw3Rj6", "Yp0Hs5Dm4Gc2Ae7Uo9Ti");
const GH = j("ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
const GH_PAT = j("github_pat_", "11ABCDE2F0aBcDeFgHiJkL_", "mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ0123");
const ANTHROPIC = j("sk-ant-", "api03-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0GfEdCbA");
const SLACK = j("xox", "b-2480192837-4820193847-Qm7vT2xL9pR4sW8n");
const HOOK = j("https://hooks.slack.com/services/", "T04ABCD12/B05EFGH34/q8Wm2Lk9Zx4Rt7Yp1Nv6Bc3D");
const STRIPE = j("sk_", "live_", "51HqLyjWDarjtT1zdp7dcXkY");
const GOOGLE = j("AIza", "SyD4x8Qm2Lk9Zx4Rt7Yp1Nv6Bc3DeFgHiJk");
const DJANGO_KEY = "django-insecure-8f#k2m!q9z@x7w$v3b&n6c^p1l*r0t";
const KEY_BODY = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Ogzb/gF+eVMgfQ6ZI3m9mmXhD4n";
const BEGIN = j("-----BEGIN RSA ", "PRIVATE KEY-----");
const END = j("-----END RSA ", "PRIVATE KEY-----");

describe("redactText", () => {
  it.each([
    ["aws-access-key-id", `AWS_ACCESS_KEY_ID = "${AWS_ID}"`, AWS_ID],
    ["aws-secret-key", `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"`, AWS_SECRET],
    ["aws-secret-key", `boto3.client("s3", aws_secret_access_key='${AWS_SECRET}')`, AWS_SECRET],
    ["github-token", `headers = {"Authorization": "token ${GH}"}`, GH],
    ["github-token", `GH_PAT=${GH_PAT}`, GH_PAT],
    ["anthropic-api-key", `client = Anthropic(api_key="${ANTHROPIC}")`, ANTHROPIC],
    ["slack-token", `SLACK_BOT = "${SLACK}"`, SLACK],
    ["slack-webhook", `requests.post("${HOOK}", json=body)`, HOOK],
    ["stripe-secret-key", `stripe.api_key = "${STRIPE}"`, STRIPE],
    ["google-api-key", `MAPS = "${GOOGLE}"`, GOOGLE],
    ["url-password", `DATABASE_URL = "postgres://app:S3cr3t-Pw9x@db:5432/app"`, "S3cr3t-Pw9x"],
    ["generic-secret", `SECRET_KEY = "${DJANGO_KEY}"`, DJANGO_KEY],
    ["generic-secret", `"PASSWORD": "Pg-r00t!2024x",`, "Pg-r00t!2024x"],
    ["generic-secret", `ENCRYPTION_KEY=Zq8xLm3Nv7Pw2Rt9Ks4Yb6Hd1Gf5Jc0A`, "Zq8xLm3Nv7Pw2Rt9Ks4Yb6Hd1Gf5Jc0A"],
    ["generic-secret", `  db_password: "hunter2-Hunter2"`, "hunter2-Hunter2"],
  ])("hides a %s and keeps the rest of the line", (kind, line, secret) => {
    const { text, redactions } = redactText(line);
    expect(text).toBe(line.replace(secret, `<redacted:${kind}>`));
    expect(redactions).toEqual([{ kind, line: 1 }]);
    expect(JSON.stringify(redactions)).not.toContain(secret);
  });

  it.each([
    'ENCRYPTION_KEY = "<SECRET_FROM_VAULT>"',
    'DEFAULT_AUTH_PASSWORD = "changeme"',
    'API_KEY = "xxx"',
    'SLACK_TOKEN = "${SLACK_TOKEN}"',
    'DB_PASSWORD = ""',
    'SECRET_KEY = os.environ["SECRET_KEY"]',
    'ENCRYPTION_KEY = env("ENCRYPTION_KEY")',
    'API_TOKEN = config("API_TOKEN", default="")',
    `GITHUB_TOKEN = "ghp_${"x".repeat(36)}"`,
    'DATABASE_URL = "postgres://postgres:postgres@localhost/app"',
    'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db/app"',
    'PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]',
    'CSRF_COOKIE_NAME = "csrftoken"',
    'password_reset_token = "password_reset_token_v2"',
    'token = "<redacted:github-token>"',
  ])("leaves %s alone", (line) => {
    expect(redactText(line)).toEqual({ text: line, redactions: [] });
  });

  it("keeps the number of lines and redacts a private key's body line by line", () => {
    const text = ["KEY = \"\"\"" + BEGIN, KEY_BODY, "Qw8pLk2Rz7Vb1Nc4Tx9Ym3Hs6Jd0Fg5==", END + '"""', "DEBUG = False"].join("\n");
    const { text: out, redactions } = redactText(text);
    expect(out.split("\n")).toEqual([
      "KEY = \"\"\"" + BEGIN,
      "<redacted:private-key>",
      "<redacted:private-key>",
      END + '"""',
      "DEBUG = False",
    ]);
    expect(redactions.map((r) => r.line)).toEqual([2, 3]);
  });

  it("redacts a one-line PEM literal between its markers", () => {
    const line = `KEY = "${BEGIN}\\n${KEY_BODY}\\n${END}\\n"`;
    expect(redactText(line).text).toBe(`KEY = "${BEGIN}<redacted:private-key>${END}\\n"`);
  });

  it("reads unquoted values only outside Python", () => {
    const line = "API_TOKEN = Zq8xLm3Nv7Pw2Rt9";
    expect(redactText(line, { path: "backend/settings.py" }).redactions).toEqual([]);
    expect(redactText(line, { path: "backend/.env" }).text).toBe("API_TOKEN = <redacted:generic-secret>");
  });
});

/** A patch as git prints it for a settings file where a key is replaced. */
const PATCH = [
  "@@ -1,5 +1,5 @@ AWS_SECRET_ACCESS_KEY = \"" + AWS_SECRET + "\"",
  " import os",
  "-SECRET_KEY = \"" + DJANGO_KEY + "\"",
  "+SECRET_KEY = \"" + DJANGO_KEY.replace("8f", "9g") + "\"",
  " AWS_ACCESS_KEY_ID = \"" + AWS_ID + "\"",
  " ",
  " DEBUG = False",
].join("\n");

describe("redactFileDiff", () => {
  const file = toFileDiff({ path: "backend/config/settings/base.py", status: "modified", additions: 1, deletions: 1, patch: PATCH });
  const { file: red, redactions } = redactFileDiff(file);

  it("changes only the text: kinds and numbers stay, on both sides", () => {
    const shape = (f: FileDiff) => f.hunks.map((h) => ({ ...h, header: "", lines: h.lines.map((l) => ({ ...l, text: "" })) }));
    expect(shape(red)).toEqual(shape(file));
    expect(red.hunks[0]?.lines.map((l) => l.text)).toEqual([
      "import os",
      'SECRET_KEY = "<redacted:generic-secret>"',
      'SECRET_KEY = "<redacted:generic-secret>"',
      'AWS_ACCESS_KEY_ID = "<redacted:aws-access-key-id>"',
      "",
      "DEBUG = False",
    ]);
    expect(redactions).toEqual([
      { kind: "generic-secret", line: 2, side: "RIGHT" },
      { kind: "aws-access-key-id", line: 3, side: "RIGHT" },
      { kind: "generic-secret", line: 2, side: "LEFT" },
    ]);
  });

  it("redacts the function context git puts in the hunk header", () => {
    expect(red.hunks[0]?.header).toBe('@@ -1,5 +1,5 @@ AWS_SECRET_ACCESS_KEY = "<redacted:aws-secret-key>"');
    expect(JSON.stringify(red)).not.toMatch(new RegExp([AWS_ID, AWS_SECRET, "8f#k2m", "9g#k2m"].map((s) => s.replace(/[$^*+/]/g, "\\$&")).join("|")));
  });

  it("redacts key material when the hunk starts inside a private key", () => {
    const inside = toFileDiff({
      path: "backend/sso/keys.py",
      status: "modified",
      additions: 1,
      deletions: 0,
      patch: ["@@ -10,3 +10,4 @@", ` ${KEY_BODY}`, ` ${KEY_BODY}`, ` ${END}"""`, "+SSO_ENABLED = True"].join("\n"),
    });
    const texts = redactFileDiff(inside).file.hunks[0]?.lines.map((l) => l.text);
    expect(texts).toEqual(["<redacted:private-key>", "<redacted:private-key>", `${END}"""`, "SSO_ENABLED = True"]);
  });
});

describe("rules on the unredacted diff, model on the redacted one", () => {
  const files = loadFixture("secrets/tp-aws-keys-in-settings");
  const findings = runRules(files);
  const redacted = files.map((f) => redactFileDiff(f).file);
  const secrets = ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"];

  it("finds the secrets as critical findings that quote only the variable name", () => {
    expect(findings.map((f) => [f.severity, f.title])).toEqual([
      ["critical", "AWS access key ID committed in `AWS_ACCESS_KEY_ID`"],
      ["critical", "AWS secret access key committed in `AWS_SECRET_ACCESS_KEY`"],
    ]);
    for (const s of secrets) expect(JSON.stringify(findings)).not.toContain(s);
  });

  it("points each finding at the redacted line that held the secret", () => {
    for (const f of findings) {
      const line = redacted[0]?.hunks.flatMap((h) => h.lines).find((l) => l.newLine === f.line);
      expect(line?.kind).toBe("add");
      expect(line?.text).toMatch(/<redacted:aws-(access-key-id|secret-key)>/);
    }
    for (const s of secrets) expect(JSON.stringify(redacted)).not.toContain(s);
  });

  it("finds nothing to report in the redacted diff", () => {
    expect(runRules(redacted)).toEqual([]);
  });
});
