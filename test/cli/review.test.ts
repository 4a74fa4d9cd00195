import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import type { Log } from "sarif";
import { lineOf } from "../support/django-fixtures.js";
import { git, makeRepo, runCli, writeFiles, type TempRepo } from "./cli-harness.js";

const VIEWS = "backend/api/views.py";
const BEFORE = `from django.http import JsonResponse


def compute(request):
    return JsonResponse({"result": None})
`;
const EVAL = `from django.http import JsonResponse


def compute(request):
    result = eval(request.GET["expr"])
    return JsonResponse({"result": result})
`;
const CLEAN = `from django.http import JsonResponse


def compute(request):
    return JsonResponse({"result": 42})
`;
const evalLine = lineOf(EVAL, "eval(");

const repos: TempRepo[] = [];
const repo = (base: Record<string, string | null>, head: Record<string, string | null>) => {
  const made = makeRepo(base, head);
  repos.push(made);
  return made.dir;
};
afterAll(() => repos.forEach((r) => r.cleanup()));

/** Lines of stderr that mention `text`. */
const linesWith = (stderr: string, text: string) => stderr.split("\n").filter((l) => l.includes(text));

describe("backend-agent review, rules only (no ANTHROPIC_API_KEY)", () => {
  it("finds a known eval() in a committed change: exit 1, the finding in text and in json", async () => {
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: EVAL });
    const [text, json] = await Promise.all([runCli(dir, ["review"]), runCli(dir, ["review", "--format", "json"])]);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain(VIEWS);
    expect(text.stdout).toContain("`eval()` on non-constant input");
    // The code the finding is about, with its line number.
    expect(text.stdout).toMatch(new RegExp(`${evalLine} │ {5}result = eval\\(request\\.GET\\["expr"\\]\\)`));
    expect(text.stdout).toMatch(/1 high in 1 file · fail on high: FAIL/);
    expect(text.stdout).not.toContain("\u001b["); // a pipe gets no colours
    expect(linesWith(text.stderr, "ANTHROPIC_API_KEY is not set")).toEqual(["backend-agent: ANTHROPIC_API_KEY is not set: only the deterministic rules ran."]);

    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { decision: Record<string, unknown>; findings: Array<Record<string, unknown>>; range: Record<string, string> };
    expect(report.decision).toEqual({ conclusion: "failure", failOn: "high", exitCode: 1, label: "high" });
    expect(report.findings).toEqual([
      expect.objectContaining({ path: VIEWS, line: evalLine, side: "RIGHT", severity: "high", category: "security", source: "rule:code-execution/eval", inline: true, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) }),
    ]);
    expect(report.range).toMatchObject({ baseRef: "main", head: "working tree", base: git(dir, "rev-parse", "main").trim() });
  });

  it("runs the rules on files the model skips (backend/vendor/), as the App does: a vendored eval() still fails", async () => {
    const vendored = "backend/vendor/calc.py";
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: CLEAN, [vendored]: EVAL });
    const run = await runCli(dir, ["review", "--format", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: Array<Record<string, unknown>>; skipped: unknown[]; unreviewed: unknown[] };
    expect(report.findings).toEqual([expect.objectContaining({ path: vendored, line: evalLine, source: "rule:code-execution/eval" })]);
    expect(report.skipped).toEqual([{ path: vendored, reason: "vendored or built files" }]);
    expect(report.unreviewed).toEqual([]);
  });

  it("passes a clean change with exit 0", async () => {
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: CLEAN });
    const run = await runCli(dir, ["review"]);
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("no findings in 1 file · fail on high: pass");
  });

  it("does not parse a diff over 1 MB: that file is listed as not reviewed and the review fails closed (exit 1)", async () => {
    const data = "backend/api/fixtures_data.py";
    const huge = Array.from({ length: 25_000 }, (_, i) => `ROW_${i} = "${"x".repeat(40)}"`).join("\n");
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: CLEAN, [data]: huge });
    const run = await runCli(dir, ["review", "--format", "json"]);
    const report = JSON.parse(run.stdout) as { decision: Record<string, unknown>; unreviewed: Array<{ path: string; reason: string }> };
    expect(report.unreviewed).toEqual([{ path: data, reason: expect.stringMatching(/^not reviewed: diff too large to review \(1\.\d MB; the limit is 1 MB\)$/) }]);
    expect(run.code).toBe(1);
  });

  it("writes valid SARIF 2.1.0 whose result points at the file and line, to --output", async () => {
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: EVAL });
    const out = join(dir, "..", `${dir.split("/").pop()}.sarif`);
    const run = await runCli(dir, ["review", "--format", "sarif", "--output", out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`report written to ${out}`);
    const log = JSON.parse(readFileSync(out, "utf8")) as Log;
    rmSync(out);

    // The schema is draft-04 (`id`); Ajv 8 reads it as draft-07 once `id` is `$id` — the two drafts
    // differ in nothing else this schema uses (no exclusiveMinimum/Maximum). One of its patterns
    // (`language`) is not valid with the `u` flag Ajv 8 compiles patterns with by default.
    const schema = JSON.parse(readFileSync("node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json", "utf8")) as Record<string, unknown>;
    const { $schema: _draft, id, ...rest } = schema;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile({ $id: String(id), ...rest });
    expect(validate(log) ? [] : validate.errors).toEqual([]);

    const [result, ...others] = log.runs[0]!.results!;
    expect(others).toEqual([]);
    expect(result).toMatchObject({
      ruleId: "code-execution/eval",
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: VIEWS }, region: { startLine: evalLine, endLine: evalLine, snippet: { text: '    result = eval(request.GET["expr"])' } } } }],
      partialFingerprints: { "backendAgentFinding/v1": expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(log.runs[0]!.tool.driver.rules![result!.ruleIndex!]).toMatchObject({ id: "code-execution/eval", properties: { "security-severity": "8.0" } });
  });

  it("reviews the working tree by default, untracked files included, without touching the user's index", async () => {
    const dir = repo({ [VIEWS]: BEFORE }, { [VIEWS]: CLEAN });
    writeFiles(dir, { "backend/api/tasks.py": EVAL, "backend/api/local.py": "x = 1\n" });
    git(dir, "add", "backend/api/local.py");
    const status = git(dir, "status", "--porcelain");

    const [tree, committed] = await Promise.all([runCli(dir, ["review", "--format", "json"]), runCli(dir, ["review", "--format", "json", "--head", "HEAD"])]);
    expect(tree.code).toBe(1);
    const report = JSON.parse(tree.stdout) as { findings: Array<{ path: string }>; reviewed: string[] };
    expect(report.findings.map((f) => f.path)).toEqual(["backend/api/tasks.py"]);
    expect(report.reviewed.sort()).toEqual(["backend/api/local.py", "backend/api/tasks.py", VIEWS]);
    expect(git(dir, "status", "--porcelain")).toBe(status);

    // --head reviews that commit only: the uncommitted eval() is not part of it.
    expect(committed.code).toBe(0);
    expect((JSON.parse(committed.stdout) as { reviewed: string[] }).reviewed).toEqual([VIEWS]);
  });

  it("reads the settings from the base commit: a change cannot switch its own review off", async () => {
    const dir = repo(
      { [VIEWS]: BEFORE, ".github/backend-agent.yml": "failOn: medium\n" },
      { [VIEWS]: EVAL, ".github/backend-agent.yml": "failOn: never\n" },
    );
    const [run, flag] = await Promise.all([runCli(dir, ["review", "--format", "json"]), runCli(dir, ["review", "--fail-on", "critical"])]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { decision: { failOn: string } }).decision.failOn).toBe("medium");
    expect(run.stderr).toContain(".github/backend-agent.yml is changed by this diff; the review uses its version at");
    // The flag is the user's own choice and beats the file.
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain("1 high in 1 file · fail on critical: pass");
  });

  it("says nothing is to review when the change is outside `paths`", async () => {
    const dir = repo({ "frontend/app.js": "a\n" }, { "frontend/app.js": "eval(x)\n" });
    const run = await runCli(dir, ["review"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Nothing to review: no changed file matches backend/**.");
  });
});

describe("backend-agent review: one-line errors with exit 2", () => {
  const expectError = (run: { code: number | null; stdout: string; stderr: string }, message: RegExp) => {
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
  };

  it("outside a git repository", async () => {
    const dir = mkdtempSync(join(tmpdir(), "backend-agent-norepo-"));
    try {
      // The ceiling keeps git from finding a repository above the temp directory.
      const run = await runCli(dir, ["review"], { GIT_CEILING_DIRECTORIES: tmpdir() });
      expectError(run, /^backend-agent: error: not a git repository: .*backend-agent-norepo-.* \(run backend-agent inside a git checkout\)\.$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("for an unknown ref, a bad flag, a bad value, invalid settings or a broken agent file", async () => {
    const dir = repo({ [VIEWS]: BEFORE, ".github/backend-agent.yml": "failon: high\nmaxComments: 500\n" }, { [VIEWS]: EVAL, "broken.md": "---\nname: Not Valid\n---\nprompt\n" });
    const ok = repo({ [VIEWS]: BEFORE }, { [VIEWS]: EVAL });
    const [ref, head, flag, format, config, agent, missing] = await Promise.all([
      runCli(ok, ["review", "--base", "no-such-branch"]),
      runCli(ok, ["review", "--head", "v9.9"]),
      runCli(ok, ["review", "--bogus"]),
      runCli(ok, ["review", "--format", "xml"]),
      runCli(dir, ["review"]),
      runCli(ok, ["review", "--agent", join(dir, "broken.md")]),
      runCli(ok, ["review", "--agent", "nope.md"]),
    ]);
    expectError(ref, /unknown ref "no-such-branch": no branch, tag or commit of that name/);
    expectError(head, /unknown ref "v9\.9"/);
    expectError(flag, /Unknown option '--bogus' \(see backend-agent review --help\)$/);
    expectError(format, /--format must be one of text, markdown, json, sarif, not "xml"/);
    expectError(config, /\.github\/backend-agent\.yml at [0-9a-f]{7} is invalid: (?=.*failon: unknown setting)(?=.*maxComments: Too big)/);
    expectError(agent, /broken\.md is invalid: `name` must be lowercase/);
    expectError(missing, /cannot read the agent file nope\.md: ENOENT/);
  });
});
