import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseAgent, resolveAgent } from "../../../src/agents/load-agent.js";
import { resolveModel } from "../../../src/engine/models.js";
import { UserFacingError } from "../../../src/errors.js";

const shipped = readFileSync("agents/backend-agent.md", "utf8");

describe("agent definitions", () => {
  it("ships the user's agent file unchanged (byte for byte: the digest of the user's file)", () => {
    expect(createHash("sha256").update(readFileSync("agents/backend-agent.md")).digest("hex")).toBe("bcc855ec28bdbbe58f506b99a9f81324f70db0393f6b35064ac03c7748c54aba");
  });

  it("reads the user's file, whose description is not strict YAML, as Claude Code does", () => {
    const agent = parseAgent(shipped, "bundled");
    expect(agent.name).toBe("backend-agent");
    expect(agent.model).toBe("sonnet");
    expect(agent.description).toMatch(/^Use this agent when working on any backend-related tasks/);
    expect(agent.description).toContain('user: "I just added a POST /api/v2/workflows/export endpoint');
    expect(agent.prompt).toMatch(/^You are \*\*backend-agent\*\*/);
    expect(agent.prompt).toContain("# INITIALIZATION");
    expect(agent.warning).toMatch(/not strict YAML/);
  });

  it("maps the sonnet alias to a concrete model id through one table, and passes ids through", () => {
    expect(resolveModel("sonnet")).toBe("claude-sonnet-5-5");
    expect(resolveModel("Opus")).toBe("claude-opus-5-5");
    expect(resolveModel("claude-haiku-4-5")).toBe("claude-haiku-4-5");
    expect(resolveModel("inherit", "haiku")).toBe("claude-haiku-5-5");
  });

  it("reads strict YAML front matter with review keys", () => {
    const agent = parseAgent("---\nname: api-agent\ndescription: reviews APIs\nmodel: haiku\npaths:\n  - api/**\nfailOn: medium\n---\nBe strict.\n", "x");
    expect(agent).toMatchObject({ name: "api-agent", model: "haiku", prompt: "Be strict.", settings: { paths: ["api/**"], failOn: "medium" } });
    expect(agent.warning).toBeUndefined();
  });

  it.each([
    ["no front matter", "Just a prompt", /no YAML front matter/],
    ["a bad name", "---\nname: Backend Agent\ndescription: d\n---\nprompt", /`name` must be lowercase/],
    ["no description", "---\nname: a\n---\nprompt", /`description`/],
    ["an empty prompt", "---\nname: a\ndescription: d\n---\n\n", /empty prompt/],
    ["a bad failOn", "---\nname: a\ndescription: d\nfailOn: severe\n---\np", /`failOn`/],
  ])("rejects %s with a clear message", (_label, text, message) => {
    expect(() => parseAgent(text, "agents/x.md")).toThrow(UserFacingError);
    expect(() => parseAgent(text, "agents/x.md")).toThrow(message);
  });

  it("uses the repository's own agent from its default branch, and only one with the same name", async () => {
    const bundled = parseAgent(shipped, "bundled");
    const reads: string[] = [];
    const own = "---\nname: backend-agent\ndescription: ours\n---\nOur prompt.";
    const agent = await resolveAgent(bundled, async (p) => (reads.push(p), own), (p) => `acme/api@main:${p}`);
    expect(reads).toEqual([".claude/agents/backend-agent.md"]);
    expect(agent).toMatchObject({ prompt: "Our prompt.", source: "acme/api@main:.claude/agents/backend-agent.md" });
    await expect(resolveAgent(bundled, async () => undefined, (p) => p)).resolves.toBe(bundled);
    await expect(resolveAgent(bundled, async () => own.replace("name: backend-agent", "name: other"), (p) => p)).rejects.toThrow(/must be `backend-agent`/);
  });
});
