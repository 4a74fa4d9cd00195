import { parseCommand } from "../../../src/commands/parse-command.js";
import { quoteRequest } from "../../../src/commands/replies.js";
import { LINE_CAP } from "../../../src/diff/line-cap.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { redactFileDiff, redactText } from "../../../src/diff/redact.js";
import { renderNumberedDiff } from "../../../src/diff/render.js";
import { isPemBodyLine } from "../../../src/diff/secret-patterns.js";
import { runRules } from "../../../src/rules/index.js";

// Assembled at run time so this file does not look like a leaked credential.
const GH = ["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"].join("");
const KEY = ["Zq8xLm3Nv7", "Pw2Rt9Ks4Yb6Hd1Gf5Jc0A"].join("");
const BEGIN = ["-----BEGIN RSA ", "PRIVATE KEY-----"].join("");

/** Every 8-character piece of a secret: none may show, not even half of it. */
const pieces = (secret: string) => Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));

describe("long lines are cut before they are scanned, shown or sent", () => {
  it("keeps the first LINE_CAP characters of a long line and says how many were cut", () => {
    const line = "x".repeat(20_000);
    const { text } = redactText(`short\n${line}\nafter`);
    expect(text.split("\n")).toEqual(["short", `${"x".repeat(LINE_CAP)}… <cut: 16000 chars>`, "after"]);
  });

  it("hides a secret that straddles the cut whole", () => {
    const line = `${"x".repeat(LINE_CAP - 20)} API_KEY = "${KEY}" ${"y".repeat(5_000)}`;
    const { text, redactions } = redactText(line);
    expect(text).toBe(`${"x".repeat(LINE_CAP - 20)} API_KEY = "<redacted:generic-secret>… <cut: ${line.length - LINE_CAP} chars>`);
    expect(redactions).toEqual([{ kind: "generic-secret", line: 1 }]);
    for (const p of pieces(KEY)) expect(text).not.toContain(p);
  });

  it("sends the model a cut line with its number, and later lines keep theirs", () => {
    const long = `${"+".repeat(LINE_CAP)}SENTINEL${"+".repeat(15_000)}`;
    const patch = ["@@ -1,2 +1,4 @@", " import os", `+${BEGIN}`, `+${long}`, "+DEBUG = True", " x = 1"].join("\n");
    const file = toFileDiff({ path: "backend/app/keys.py", status: "modified", additions: 3, deletions: 0, patch });
    expect(file.hunks[0]?.lines.map((l) => l.newLine)).toEqual([1, 2, 3, 4, 5]);
    const rendered = renderNumberedDiff(redactFileDiff(file).file);
    expect(rendered).not.toContain("SENTINEL");
    expect(rendered).toContain(`     3 +<redacted:private-key>… <cut: ${long.length - LINE_CAP} chars>`);
    expect(rendered).toContain("     4 +DEBUG = True");
    expect(rendered.length).toBeLessThan(LINE_CAP + 1_000);
  });

  it("runs the rules on a cut line and still finds what follows it", () => {
    const patch = ["@@ -0,0 +1,2 @@", `+x = "${"a".repeat(30_000)}"`, "+DEBUG = True"].join("\n");
    const findings = runRules([toFileDiff({ path: "backend/config/settings.py", status: "modified", additions: 2, deletions: 0, patch })]);
    expect(findings.map((f) => [f.line, f.source])).toEqual([[2, "rule:auth-settings/debug-true"]]);
  });
});

describe("comments are cut before they are scanned", () => {
  it("quotes at most 600 characters, redacted, with no half of a secret at the cut", () => {
    const quote = quoteRequest(`${"a".repeat(585)} GH_TOKEN=${GH} and more`);
    for (const p of pieces(GH)) expect(quote).not.toContain(p);
    expect(quote).toBe(`> ${"a".repeat(585)} GH_TOKEN=&lt;reda…`);
  });

  it("quotes a key header and a 20,000-character line of + quickly", () => {
    const start = performance.now();
    const quote = quoteRequest(`/backend-agent ask what is this?\n${BEGIN}\n${"+".repeat(20_000)}`);
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(quote.split("\n")).toEqual(["> /backend-agent ask what is this?", `> ${BEGIN}`, "> &lt;redacted:private-key>"]);
  });

  it("cuts a question to 4,000 characters with a visible marker", () => {
    const command = parseCommand(`/backend-agent ask ${"why ".repeat(2_000)}`, "backend-agent");
    expect(command).toMatchObject({ name: "ask" });
    const question = command?.name === "ask" ? command.question : "";
    expect(question).toMatch(/… <cut: \d+ chars>$/);
    expect(question.length).toBeLessThan(4_100);
    expect(command?.request.length).toBeLessThan(2_100);
  });
});

/** The pattern isPemBodyLine replaces: cubic on a line of `+`, kept here as the reference. */
const OLD_PEM_BODY_LINE = /^[\s"'(+]*(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info|Comment):.*)?(?:\\n)?["',)+\s]*$/;

describe("isPemBodyLine", () => {
  it("accepts exactly what the old pattern accepted, on every short line over the characters it reads", () => {
    const alphabet = ["+", "=", "a", "/", " ", '"', "'", "(", ")", ",", "\\", "n", "Comment:", "-"];
    const differ: string[] = [];
    const visit = (text: string, depth: number): void => {
      if (isPemBodyLine(text) !== OLD_PEM_BODY_LINE.test(text)) differ.push(JSON.stringify(text));
      if (depth > 0) for (const c of alphabet) visit(text + c, depth - 1);
    };
    visit("", 5);
    expect(differ).toEqual([]);
  });

  it("reads a line of 50,000 `+` in linear time", () => {
    const start = performance.now();
    expect(isPemBodyLine("+".repeat(50_000))).toBe(true);
    expect(isPemBodyLine(`${"+".repeat(50_000)}!`)).toBe(false);
    expect(performance.now() - start).toBeLessThan(50);
  });
});
