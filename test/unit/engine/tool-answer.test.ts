/**
 * Structured output by a forced tool call, through the real SDK client against the fake API:
 * what the provider is sent, and what the engine reads back.
 */
import Anthropic from "@anthropic-ai/sdk";
import { ANSWER_TOOL, toolAnswerMiddleware } from "../../../src/engine/providers/tool-answer.js";
import { FakeAnthropic } from "../../support/fake-anthropic.js";

let fake: FakeAnthropic;
let client: Anthropic;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  client = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0, middleware: [toolAnswerMiddleware] });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
const base = { model: "claude-sonnet-5-5", max_tokens: 100, messages: [{ role: "user" as const, content: "Why?" }] };

it("moves the schema into a forced tool and hands its input back as the JSON text", async () => {
  fake.enqueue({ kind: "json", value: { answer: "Because." } });
  const message = await client.messages.create({ ...base, output_config: { format: { type: "json_schema", schema }, effort: "low" } });

  const sent = fake.requests[0]!.body;
  expect(sent.output_config).toEqual({ effort: "low" });
  expect(sent.tools).toEqual([expect.objectContaining({ name: ANSWER_TOOL, input_schema: schema })]);
  expect(sent.tool_choice).toEqual({ type: "tool", name: ANSWER_TOOL });
  expect(message.stop_reason).toBe("end_turn");
  expect(message.content).toEqual([{ type: "text", text: '{"answer":"Because."}', citations: null }]);
  expect(message.usage.input_tokens).toBeGreaterThan(0);
});

it("lets a tool loop's own tools be called first: any tool, the answer tool first in the list", async () => {
  const readFile = { name: "read_file", description: "Reads a file.", input_schema: { type: "object" as const, properties: { path: { type: "string" } } } };
  fake.enqueue({ kind: "tool_use", calls: [{ name: "read_file", input: { path: "a.py" } }] });
  const message = await client.messages.create({ ...base, tools: [readFile], tool_choice: { type: "auto" }, output_config: { format: { type: "json_schema", schema } } });

  const sent = fake.requests[0]!.body;
  expect(sent.tools?.map((t) => (t as { name?: string }).name)).toEqual([ANSWER_TOOL, "read_file"]);
  expect(sent.tool_choice).toEqual({ type: "any" });
  // A call of the loop's own tool is the loop's to answer: passed through untouched.
  expect(message.stop_reason).toBe("tool_use");
  expect(message.content[0]).toMatchObject({ type: "tool_use", name: "read_file", input: { path: "a.py" } });
});

it("forces the answer tool when the loop says `tool_choice: none` (its budget is spent)", async () => {
  const readFile = { name: "read_file", description: "Reads a file.", input_schema: { type: "object" as const, properties: { path: { type: "string" } } } };
  fake.enqueue({ kind: "json", value: { answer: "Done." } });
  const message = await client.messages.create({ ...base, tools: [readFile], tool_choice: { type: "none" }, output_config: { format: { type: "json_schema", schema } } });
  expect(fake.requests[0]!.body.tool_choice).toEqual({ type: "tool", name: ANSWER_TOOL });
  expect(message.content).toEqual([{ type: "text", text: '{"answer":"Done."}', citations: null }]);
});

it("leaves requests without an output format, and error answers, as they are", async () => {
  fake.enqueue({ kind: "text", text: "plain" }, { kind: "error", status: 400, type: "invalid_request_error", message: "bad" });
  const message = await client.messages.create(base);
  expect(fake.requests[0]!.body.tools).toBeUndefined();
  expect(message.content).toEqual([{ type: "text", text: "plain", citations: null }]);
  await expect(client.messages.create({ ...base, output_config: { format: { type: "json_schema", schema } } })).rejects.toMatchObject({ status: 400 });
});
