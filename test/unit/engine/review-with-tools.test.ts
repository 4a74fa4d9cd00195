/** requestStructured with the real SDK client against the fake API: which request goes out. */
import Anthropic from "@anthropic-ai/sdk";
import { parseAgent } from "../../../src/agents/load-agent.js";
import { reviewOutputSchema } from "../../../src/engine/findings-schema.js";
import { requestStructured } from "../../../src/engine/review-with-tools.js";
import { toolTokenBudget } from "../../../src/engine/tool-loop.js";
import type { SnapshotReader } from "../../../src/snapshot/snapshot-reader.js";
import { FakeAnthropic } from "../../support/fake-anthropic.js";

const ANSWER = { summary: "Fine.", findings: [] };
const agent = (tools = "") => parseAgent(`---\nname: backend-agent\ndescription: d\n${tools}---\nYou review Django.\n`, "test");
const reader: SnapshotReader = {
  label: "test",
  partial: undefined,
  readFile: async (path) => ({ isError: false, text: `contents of ${path}` }),
  grep: async () => ({ isError: false, text: "" }),
  glob: async () => ({ isError: false, text: "" }),
};

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const send = (a = agent(), withTools = true, projectInstructions?: string) =>
  requestStructured(
    new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 }),
    { model: "claude-sonnet-5-5", maxOutputTokens: 1_000 },
    { agent: a, user: "Review.", schema: reviewOutputSchema, projectInstructions },
    withTools ? { reader, budgets: { tokens: toolTokenBudget(10_000) } } : undefined,
  );
const toolNames = () => (fake.requests[0]?.body.tools ?? []).map((t) => (t as { name: string }).name);

describe("requestStructured", () => {
  it("offers every tool to an agent without a tools: line, and reads through the snapshot", async () => {
    fake.enqueue({ kind: "tool_use", calls: [{ name: "read_file", input: { path: "backend/x.py" } }] }, { kind: "json", value: ANSWER });
    const result = await send();
    expect(toolNames()).toEqual(["read_file", "grep", "glob"]);
    expect(result.tools).toMatchObject({ toolTurns: 1, filesRead: ["backend/x.py"] });
    expect(fake.sentText()[1]).toContain("contents of backend/x.py");
  });

  it("sends today's plain request when tools are off or the agent names none", async () => {
    await send(agent(), false);
    await send(agent("tools: Bash, Edit\n"));
    expect(fake.requests.map((r) => r.body.tools)).toEqual([undefined, undefined]);
  });

  it("puts the project's instructions in the cached system part", async () => {
    await send(agent(), false, "<project_instructions path=\"CLAUDE.md\">\nUse schema_context.\n</project_instructions>");
    const system = fake.requests[0]?.body.system as { text: string; cache_control?: unknown }[];
    expect(system.map((b) => b.cache_control !== undefined)).toEqual([false, true]);
    expect(system[1]?.text).toContain("Use schema_context.");
  });
});
