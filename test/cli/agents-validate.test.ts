import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeRepo, runCli, writeFiles } from "./cli-harness.js";

const SHIPPED = resolve("agents/backend-agent.md");
const promptChars = (text: string) => text.replace(/^---\r?\n[\s\S]*?\r?\n---[ \t]*\r?\n/, "").trim().length;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backend-agent-validate-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backend-agent agents validate", () => {
  it("accepts the shipped agent and prints its model id and prompt size", async () => {
    const run = await runCli(dir, ["agents", "validate", SHIPPED], { GIT_CEILING_DIRECTORIES: tmpdir() });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ok: ${SHIPPED}`);
    expect(run.stdout).toContain("name      backend-agent");
    expect(run.stdout).toContain("model     sonnet → claude-sonnet-5-5");
    const chars = promptChars(readFileSync(SHIPPED, "utf8")).toLocaleString("en-US");
    expect(run.stdout).toMatch(new RegExp(`prompt {4}${chars} characters; system prompt sent to the model [\\d,]+ characters \\(~[\\d,]+ tokens\\)`));
    expect(run.stdout).toContain("warning   front matter is not strict YAML");
  });

  it("rejects a broken file with one line and exit 2", async () => {
    const broken = join(dir, "broken.md");
    writeFileSync(broken, "---\nname: reviewer\nmodel: haiku\n---\n\n");
    const run = await runCli(dir, ["agents", "validate", broken]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^backend-agent: error: The agent definition .*broken\.md is invalid: `description`/)]);
  });

  it("checks the repository's own override by default, holding it to the bundled agent's name", async () => {
    const repo = makeRepo({ "README.md": "x\n" }, {});
    try {
      const bundled = await runCli(repo.dir, ["agents", "validate"]);
      expect(bundled.code).toBe(0);
      expect(bundled.stdout).toContain(`ok: ${SHIPPED}`);

      writeFiles(repo.dir, { ".claude/agents/backend-agent.md": "---\nname: backend-agent\ndescription: ours\nmodel: haiku\nfailOn: medium\n---\nReview strictly.\n" });
      const own = await runCli(repo.dir, ["agents", "validate"]);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain("ok: .claude/agents/backend-agent.md");
      expect(own.stdout).toContain("model     haiku → claude-haiku-5-5");
      expect(own.stdout).toContain('settings  failOn: "medium"');

      writeFiles(repo.dir, { ".claude/agents/backend-agent.md": "---\nname: other-agent\ndescription: ours\n---\nReview.\n" });
      const renamed = await runCli(repo.dir, ["agents", "validate"]);
      expect(renamed.code).toBe(2);
      expect(renamed.stderr).toMatch(/names the agent `other-agent`; it must be `backend-agent`/);
    } finally {
      repo.cleanup();
    }
  });

  it("prints help and the version with exit 0, and a usage error with exit 2", async () => {
    const [help, version, none, unknown] = await Promise.all([
      runCli(dir, ["review", "--help"]),
      runCli(dir, ["--version"]),
      runCli(dir, []),
      runCli(dir, ["agents", "list"]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: backend-agent review \[options\]/);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    expect(none).toMatchObject({ code: 2, stderr: "backend-agent: error: no command given (see backend-agent --help)\n" });
    expect(unknown).toMatchObject({ code: 2, stderr: 'backend-agent: error: unknown command "agents list" (did you mean "agents validate"?)\n' });
  });
});
