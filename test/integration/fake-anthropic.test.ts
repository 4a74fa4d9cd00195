import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import { FakeAnthropic } from "../support/fake-anthropic.js";

const MODEL = "claude-sonnet-5-5";
const ask = { model: MODEL, max_tokens: 1024, messages: [{ role: "user" as const, content: "Review this diff." }] };

function textOf(message: Anthropic.Message): string {
  const block = message.content[0];
  if (block?.type !== "text") throw new Error(`expected a text block, got ${block?.type}`);
  return block.text;
}

describe("FakeAnthropic with the real @anthropic-ai/sdk client", () => {
  let fake: FakeAnthropic;
  const client = (opts: { maxRetries?: number; timeout?: number } = {}): Anthropic =>
    new Anthropic({ apiKey: "test-key", baseURL: fake.url, maxRetries: opts.maxRetries ?? 2, timeout: opts.timeout ?? 10_000 });

  beforeEach(async () => {
    fake = await FakeAnthropic.start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("answers a json reply as a Message whose text the SDK returns, and records the request", async () => {
    const value = { summary: "One problem.", findings: [{ path: "backend/views.py", line: 3, severity: "high" }] };
    fake.enqueue({ kind: "json", value });

    const message = await client().messages.create({ ...ask, system: "You review Django code." });

    expect(message).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_reason: "end_turn" });
    expect(message.id).toMatch(/^msg_/);
    expect(JSON.parse(textOf(message))).toEqual(value);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil(JSON.stringify(value).length / 4));
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.path).toBe("/v1/messages");
    // SDK 1.14 sends `apiKey` as `Authorization: Bearer`, not as `x-api-key`.
    expect(req?.headers["authorization"]).toBe("Bearer test-key");
    expect(req?.apiKey).toBe("test-key");
    expect(req?.headers["anthropic-version"]).toEqual(expect.any(String));
    expect(req?.body).toMatchObject({ model: MODEL, max_tokens: 1024, system: "You review Django code." });
    expect(fake.sentText()).toEqual(["You review Django code.\nReview this diff."]);
  });

  it("lets messages.parse() validate structured output and fail on malformed output", async () => {
    const schema = z.object({ summary: z.string(), findings: z.array(z.object({ line: z.number() })) });
    const params = { ...ask, output_config: { format: zodOutputFormat(schema) } };
    fake.enqueue(
      { kind: "json", value: { summary: "ok", findings: [{ line: 7 }] } },
      { kind: "text", text: '{"summary": "cut off', stopReason: "max_tokens" },
      { kind: "json", value: { summary: 1 } },
    );

    const good = await client().messages.parse(params);
    expect(good.parsed_output).toEqual({ summary: "ok", findings: [{ line: 7 }] });
    expect(fake.requests[0]?.body.output_config?.format).toMatchObject({ type: "json_schema" });

    await expect(client().messages.parse(params)).rejects.toThrow(/Failed to parse structured output/);
    await expect(client().messages.parse(params)).rejects.toThrow(/Validation issues/);
  });

  it("429 with retry-after: 0 then success: the SDK retries and succeeds", async () => {
    fake.enqueue(
      { kind: "error", status: 429, type: "rate_limit_error", headers: { "retry-after": "0" } },
      { kind: "json", value: { summary: "after retry", findings: [] } },
    );

    const message = await client().messages.create(ask);

    expect(JSON.parse(textOf(message))).toEqual({ summary: "after retry", findings: [] });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.headers["x-stainless-retry-count"]).toBe("1");
  });

  it("529 three times with maxRetries 2: APIError with status 529 and the API's error body", async () => {
    const overloaded = { kind: "error", status: 529, type: "overloaded_error", headers: { "retry-after-ms": "5" } } as const;
    fake.enqueue(overloaded, overloaded, overloaded, { kind: "json", value: "never reached" });

    const error: unknown = await client({ maxRetries: 2 }).messages.create(ask).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(529);
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(apiError.requestID).toMatch(/^req_/);
    expect(fake.requests).toHaveLength(3);
    expect(fake.pending).toBe(1);
  });

  it("x-should-retry: false stops the SDK from retrying a 500", async () => {
    fake.enqueue({ kind: "error", status: 500, type: "api_error", headers: { "x-should-retry": "false" } });
    await expect(client().messages.create(ask)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect(fake.requests).toHaveLength(1);
  });

  it("hang with timeout 300 and maxRetries 0: APIConnectionTimeoutError", async () => {
    fake.enqueue({ kind: "hang" });
    const started = performance.now();

    await expect(client({ timeout: 300, maxRetries: 0 }).messages.create(ask)).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );

    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(fake.requests).toHaveLength(1);
  });

  it("a delayed reply still arrives within the timeout", async () => {
    fake.enqueue({ kind: "delay", ms: 50, then: { kind: "json", value: { late: true } } });
    const message = await client().messages.create(ask);
    expect(JSON.parse(textOf(message))).toEqual({ late: true });
  });

  it("a second request with the same cached system block reads it from the cache", async () => {
    const agentPrompt = "You are backend-agent. ".repeat(200);
    const system = [{ type: "text" as const, text: agentPrompt, cache_control: { type: "ephemeral" as const } }];
    const api = client();

    const first = await api.messages.create({ ...ask, system });
    const second = await api.messages.create({
      ...ask,
      system,
      messages: [{ role: "user", content: "Review another chunk." }],
    });

    const prefixTokens = Math.ceil(agentPrompt.length / 4);
    expect(first.usage).toMatchObject({ cache_creation_input_tokens: prefixTokens, cache_read_input_tokens: 0 });
    expect(second.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: prefixTokens });
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(second.usage.input_tokens).toBeLessThan(prefixTokens);

    // A different prompt is a different prefix: written, not read.
    const other = await api.messages.create({ ...ask, system: [{ ...system[0]!, text: `${agentPrompt}v2` }] });
    expect(other.usage.cache_read_input_tokens).toBe(0);
    expect(other.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  });

  it("rejects a request without max_tokens with 400 invalid_request_error", async () => {
    const noMaxTokens = { model: MODEL, messages: ask.messages } as unknown as MessageCreateParamsNonStreaming;

    const error: unknown = await client().messages.create(noMaxTokens).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
  });

  it("rejects a missing credential (401) and a missing anthropic-version (400), so SDK tests prove it sends them", async () => {
    const body = JSON.stringify(ask);
    const noKey = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body,
    });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("request-id")).toMatch(/^req_/);
    expect(await noKey.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });

    const noVersion = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "test-key" },
      body,
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ error: { type: "invalid_request_error" } });

    const withHeaderKey = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "test-key", "anthropic-version": "2023-06-01" },
      body,
    });
    expect(withHeaderKey.status).toBe(200);
    expect(fake.requests.map((r) => r.apiKey)).toEqual([undefined, "test-key", "test-key"]);
  });

  it("a wrong key is refused when the fake expects one", async () => {
    fake.apiKey = "the-real-key";
    await expect(client().messages.create(ask)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("lists models (GET /v1/models) page by page, behind the same authentication", async () => {
    const first = await client().models.list({ limit: 2 });
    expect(first.data.map((model) => model.id)).toEqual(["claude-opus-5-5", "claude-sonnet-5-5"]);
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const model of client().models.list({ limit: 2 })) all.push(model.id);
    expect(all).toEqual(["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]);
    expect(fake.modelsRequests).toHaveLength(3);
    expect(fake.requests).toHaveLength(0);
    fake.apiKey = "the-real-key";
    await expect(client().models.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("sentText() exposes every text sent, for leaked-secret checks", async () => {
    await client().messages.create({
      ...ask,
      system: [{ type: "text", text: "rules" }],
      messages: [{ role: "user", content: [{ type: "text", text: "diff with AKIAABCDEFGHIJKLMNOP" }] }],
    });
    expect(fake.sentText()[0]).toContain("AKIAABCDEFGHIJKLMNOP");
  });

  it("fallback can depend on the request; the default fallback is an empty review", async () => {
    const first = await client().messages.create(ask);
    expect(JSON.parse(textOf(first))).toEqual({ summary: "No issues found.", findings: [] });

    fake.fallback = (req) => ({ kind: "json", value: { echoed: req.body.model } });
    const second = await client().messages.create(ask);
    expect(JSON.parse(textOf(second))).toEqual({ echoed: MODEL });
  });

  it("a forced tool gets a tool_use block carrying the value", async () => {
    fake.enqueue({ kind: "json", value: { findings: [] } });
    const message = await client().messages.create({
      ...ask,
      tools: [{ name: "report", input_schema: { type: "object" } }],
      tool_choice: { type: "tool", name: "report" },
    });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toMatchObject({ type: "tool_use", name: "report", input: { findings: [] } });
  });

  it("streams when asked, and the SDK assembles the final message", async () => {
    const value = { summary: "x".repeat(300), findings: [] };
    fake.enqueue({ kind: "json", value });
    const final = await client().messages.stream(ask).finalMessage();
    expect(JSON.parse(textOf(final))).toEqual(value);
    expect(final.stop_reason).toBe("end_turn");
  });

  it("counts tokens", async () => {
    const count = await client().messages.countTokens({ model: MODEL, messages: [{ role: "user", content: "12345678" }] });
    expect(count.input_tokens).toBe(2);
    expect(fake.countTokensRequests).toHaveLength(1);
    expect(fake.requests).toHaveLength(0);
  });

  it("stop() ends a hanging request", async () => {
    fake.enqueue({ kind: "hang" });
    const pending = client({ maxRetries: 0 }).messages.create(ask).catch((e: unknown) => e);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));

    await fake.stop();

    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
    fake = await FakeAnthropic.start(); // afterEach stops it
  });
});
