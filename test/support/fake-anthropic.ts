/**
 * A fake Anthropic Messages API on loopback HTTP, for the REAL `@anthropic-ai/sdk`
 * client (`baseURL: fake.url`). It answers with the API's own shapes — `Message`
 * objects, `{type: "error", error, request_id}` bodies with the real status codes
 * and a `request-id` header — so retries, timeouts, prompt-cache accounting and
 * structured-output parsing run through the SDK's real code paths.
 *
 * It never validates model output against `output_config.format`: tests script
 * malformed output on purpose.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authFailure, providerRoute, type FakeProvider } from "./fake-provider-routes.js";
import type {
  ContentBlock,
  Message,
  MessageCreateParamsBase,
  RawMessageStreamEvent,
  StopReason,
  Usage,
} from "@anthropic-ai/sdk/resources/messages";

/** What the fake answers to one `POST /v1/messages`. */
export type FakeReply =
  /** `content[0].text = JSON.stringify(value)` (a `tool_use` block when the request forces a tool). */
  | { kind: "json"; value: unknown; usage?: Partial<Usage>; stopReason?: "end_turn" | "max_tokens" | "refusal" }
  /** Raw text, e.g. malformed or truncated JSON. */
  | { kind: "text"; text: string; usage?: Partial<Usage>; stopReason?: "end_turn" | "max_tokens" | "refusal" }
  /** An API error: 429 rate_limit_error, 529 overloaded_error, 500 api_error, 400, 401… */
  | { kind: "error"; status: number; type: string; message?: string; headers?: Record<string, string> }
  /** Never answers, until the client aborts or the fake stops. */
  | { kind: "hang" }
  | { kind: "delay"; ms: number; then: FakeReply }
  /**
   * The model calls tools: one `tool_use` block per call (after an optional text
   * block), `stop_reason: "tool_use"`. Each call's id is `toolu_…`, as the API makes them.
   */
  | { kind: "tool_use"; calls: { name: string; input: unknown }[]; text?: string; usage?: Partial<Usage> }
  /** Any HTTP answer, e.g. an HTML 502 from a proxy in front of the API. */
  | { kind: "raw"; status: number; body: string; headers?: Record<string, string> };

/** The parsed JSON body (unvalidated: a test may send a malformed one on purpose). */
export type MessageRequestBody = Partial<MessageCreateParamsBase>;

/** One request the fake received. */
export interface RecordedMessageRequest {
  body: MessageRequestBody;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  path: string;
  /** Whose paths the request came by: the Anthropic API's, or Bedrock's, Vertex AI's, Foundry's (fake-provider-routes.ts). */
  provider: FakeProvider;
  /**
   * The credential sent: `x-api-key`, or the token of `Authorization: Bearer …` —
   * which is how SDK 1.14 sends `apiKey`.
   */
  apiKey?: string;
}

const DEFAULT_FALLBACK: FakeReply = { kind: "json", value: { summary: "No issues found.", findings: [] } };

const DEFAULT_MESSAGES: Record<string, string> = {
  invalid_request_error: "Invalid request.",
  authentication_error: "invalid x-api-key",
  permission_error: "Your API key does not have permission to use the specified resource.",
  not_found_error: "Not found.",
  request_too_large: "Request exceeds the maximum allowed number of bytes.",
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit.",
  api_error: "Internal server error.",
  overloaded_error: "Overloaded",
};

/** The real API's ids: a prefix and 24 base62-ish characters. */
function newId(prefix: string): string {
  return prefix + randomBytes(18).toString("base64url").replace(/[-_]/g, "x").slice(0, 24);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One piece of the prompt in the API's prefix order (tools, system, messages). */
interface Segment {
  key: string;
  text: string;
  breakpoint: boolean;
  ttl1h: boolean;
}

/** The readable text of a content block (what a test searches for leaked secrets). */
function blockText(block: unknown): string {
  if (typeof block === "string") return block;
  if (!isRecord(block)) return "";
  if (typeof block["text"] === "string") return block["text"];
  if (block["type"] === "tool_use") return JSON.stringify(block["input"] ?? null);
  if (block["type"] === "tool_result") {
    const content = block["content"];
    return Array.isArray(content) ? content.map(blockText).join("\n") : blockText(content);
  }
  const source = block["source"];
  if (isRecord(source) && typeof source["data"] === "string" && source["type"] === "text") return source["data"];
  return "";
}

function segmentsOf(body: MessageRequestBody): Segment[] {
  const segments: Segment[] = [];
  const push = (item: unknown, text: string): void => {
    const control = isRecord(item) ? item["cache_control"] : undefined;
    const breakpoint = isRecord(control);
    segments.push({ key: JSON.stringify(item), text, breakpoint, ttl1h: breakpoint && control["ttl"] === "1h" });
  };
  // Changing the output schema invalidates the cache like a tools change does.
  const format = isRecord(body.output_config) ? body.output_config["format"] : undefined;
  if (format) push({ output_format: format }, JSON.stringify(format));
  for (const tool of Array.isArray(body.tools) ? body.tools : []) push(tool, JSON.stringify(tool));
  const system: unknown = body.system;
  if (typeof system === "string") push(system, system);
  else if (Array.isArray(system)) for (const block of system) push(block, blockText(block));
  for (const message of Array.isArray(body.messages) ? (body.messages as unknown[]) : []) {
    if (!isRecord(message)) continue;
    const content = message["content"];
    if (typeof content === "string") push({ role: message["role"], content }, content);
    else if (Array.isArray(content)) for (const block of content) push(block, blockText(block));
  }
  return segments;
}

/**
 * The API's checks on a tool conversation: a `tool_use` block needs `tools` in the
 * request, and every `tool_use` of an assistant turn must be answered by a
 * `tool_result` with its id in the very next user turn (and only those).
 */
function toolTurnProblem(body: MessageRequestBody): string | undefined {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const blocks = (m: unknown): Record<string, unknown>[] =>
    isRecord(m) && Array.isArray(m["content"]) ? (m["content"] as unknown[]).filter(isRecord) : [];
  for (const [i, message] of messages.entries()) {
    const uses = blocks(message).filter((b) => b["type"] === "tool_use").map((b) => b["id"]);
    if (uses.length > 0 && !Array.isArray(body.tools)) return "Requests which include `tool_use` or `tool_result` blocks must define tools.";
    const answered = blocks(messages[i + 1]).filter((b) => b["type"] === "tool_result").map((b) => b["tool_use_id"]);
    if (uses.some((id) => !answered.includes(id))) {
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${uses.filter((id) => !answered.includes(id)).join(", ")}`;
    }
    const results = blocks(message).filter((b) => b["type"] === "tool_result").map((b) => b["tool_use_id"]);
    const asked = blocks(messages[i - 1]).filter((b) => b["type"] === "tool_use").map((b) => b["id"]);
    if (results.some((id) => !asked.includes(id))) return `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks`;
  }
  return undefined;
}

/** The models `GET /v1/models` lists, newest first as the API orders them. */
const MODELS = [
  { id: "claude-opus-5-5", display_name: "Claude Opus 5.5", created_at: "2026-05-01T00:00:00Z" },
  { id: "claude-sonnet-5-5", display_name: "Claude Sonnet 5.5", created_at: "2026-05-01T00:00:00Z" },
  { id: "claude-haiku-5-5", display_name: "Claude Haiku 5.5", created_at: "2026-04-01T00:00:00Z" },
].sort((a, b) => b.created_at.localeCompare(a.created_at));

/** One page of the model list, in the API's shape (`limit`, default 20, and `after_id` honoured). */
function modelsPage(query: URLSearchParams): Record<string, unknown> {
  const limit = Math.min(Math.max(Number(query.get("limit") ?? 20) || 20, 1), 1000);
  const after = query.get("after_id");
  const start = after ? MODELS.findIndex((m) => m.id === after) + 1 : 0;
  const data = MODELS.slice(start, start + limit).map((m) => ({ type: "model", ...m }));
  return { data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < MODELS.length };
}

const tokens = (chars: number): number => Math.ceil(chars / 4);

function credentialOf(req: IncomingMessage): string | undefined {
  const key = req.headers["x-api-key"];
  if (typeof key === "string" && key !== "") return key;
  const auth = req.headers["authorization"];
  const match = typeof auth === "string" ? /^Bearer (.+)$/.exec(auth) : null;
  return match?.[1];
}

/** A fake Anthropic API on `http://127.0.0.1:<random port>`. */
export class FakeAnthropic {
  /** Answers when the queue is empty (a reply, or a function of the request). */
  fallback: FakeReply | ((req: RecordedMessageRequest) => FakeReply) = DEFAULT_FALLBACK;
  /** Every `/v1/messages` request, retries and rejected ones included, in arrival order. */
  requests: RecordedMessageRequest[] = [];
  /** Every `/v1/messages/count_tokens` request. */
  countTokensRequests: RecordedMessageRequest[] = [];
  /** Every `GET /v1/models` request (free: what `backend-agent doctor` uses to test a key). */
  modelsRequests: RecordedMessageRequest[] = [];
  /** When set, any other credential (`x-api-key` or bearer token) gets 401 authentication_error. */
  apiKey: string | undefined;
  /**
   * Prefixes shorter than this are not cached. The real API's minimum is 1,024 tokens
   * for most models (more for Haiku); 0 keeps small test prompts cacheable.
   */
  minCacheableTokens = 0;

  readonly #server: Server;
  readonly #queue: FakeReply[] = [];
  readonly #cache = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();

  #url = "";

  private constructor() {
    this.#server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.sendError(res, 500, "api_error", String(error));
      });
    });
    // As the app's server: a long keep-alive so a busy test process does not race a closing socket.
    this.#server.keepAliveTimeout = 65_000;
  }

  /** Base URL for `ANTHROPIC_BASE_URL` / `new Anthropic({ baseURL })`, e.g. `http://127.0.0.1:PORT`. */
  get url(): string {
    return this.#url;
  }

  /** Starts the fake on a random loopback port. */
  static async start(): Promise<FakeAnthropic> {
    const fake = new FakeAnthropic();
    await new Promise<void>((resolve, reject) => {
      fake.#server.once("error", reject);
      fake.#server.listen(0, "127.0.0.1", () => resolve());
    });
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Stops listening and drops every open connection, hanging requests included. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Replies used in order, one per request; when the queue is empty, `fallback` answers. */
  enqueue(...replies: FakeReply[]): void {
    this.#queue.push(...replies);
  }

  /** Replies still queued. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Forgets cached prompt prefixes (the real cache expires after 5 minutes). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Clears queue, recorded requests, cache and fallback between tests. */
  reset(): void {
    this.#queue.length = 0;
    this.requests = [];
    this.countTokensRequests = [];
    this.modelsRequests = [];
    this.#cache.clear();
    this.fallback = DEFAULT_FALLBACK;
  }

  /** All text the model was sent (system + messages), concatenated per request. */
  sentText(): string[] {
    return this.requests.map(({ body }) => {
      const parts: string[] = [];
      const system: unknown = body.system;
      if (typeof system === "string") parts.push(system);
      else if (Array.isArray(system)) parts.push(...system.map(blockText));
      for (const message of Array.isArray(body.messages) ? (body.messages as unknown[]) : []) {
        if (!isRecord(message)) continue;
        const content = message["content"];
        parts.push(Array.isArray(content) ? content.map(blockText).join("\n") : blockText(content));
      }
      return parts.join("\n");
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "/";
    let body: MessageRequestBody = {};
    let parsed = true;
    try {
      const value: unknown = JSON.parse(rawBody);
      if (isRecord(value)) body = value as MessageRequestBody;
      else parsed = false;
    } catch {
      parsed = false;
    }
    const via = providerRoute(req, path, body as Record<string, unknown>, rawBody);
    const route = via.route;
    // Bedrock and Vertex name the model in the path; the record reads like the Anthropic API's.
    if (via.model !== undefined && !via.problem) body = { ...body, model: via.model };
    const record: RecordedMessageRequest = { body, rawBody, headers: { ...req.headers }, path, provider: via.provider };
    const apiKey = via.provider === "anthropic" ? credentialOf(req) : via.credential;
    if (apiKey !== undefined) record.apiKey = apiKey;

    if (route === "POST /v1/messages") this.requests.push(record);
    else if (route === "POST /v1/messages/count_tokens") this.countTokensRequests.push(record);
    else if (route === "GET /v1/models") this.modelsRequests.push(record);
    else return this.sendError(res, 404, "not_found_error", `Not found: ${route}`);

    // Checked in the real API's order: authentication, version header, body.
    const refused = !record.apiKey || (this.apiKey !== undefined && record.apiKey !== this.apiKey);
    const failure = refused ? authFailure(via.provider) : undefined;
    if (failure) return this.sendJson(res, failure.status, failure.body, failure.headers);
    if (!record.apiKey) return this.sendError(res, 401, "authentication_error", "x-api-key header is required");
    if (refused) return this.sendError(res, 401, "authentication_error", "invalid x-api-key");
    if (via.problem) return this.sendError(res, 400, "invalid_request_error", via.problem);
    if (!req.headers["anthropic-version"] && via.model === undefined) {
      return this.sendError(res, 400, "invalid_request_error", "anthropic-version: header is required");
    }
    if (route === "GET /v1/models") return this.sendJson(res, 200, modelsPage(new URL(path, "http://fake").searchParams));
    if (!parsed) return this.sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
    const invalid = this.validate(body, route === "POST /v1/messages");
    if (invalid) return this.sendError(res, 400, "invalid_request_error", invalid);

    if (route === "POST /v1/messages/count_tokens") {
      const chars = segmentsOf(body).reduce((n, s) => n + s.text.length, 0);
      return this.sendJson(res, 200, { input_tokens: tokens(chars) });
    }
    const queued = this.#queue.shift();
    const reply = queued ?? (typeof this.fallback === "function" ? this.fallback(record) : this.fallback);
    this.answer(reply, body, res);
  }

  private validate(body: MessageRequestBody, isCreate: boolean): string | undefined {
    if (typeof body.model !== "string" || body.model === "") return "model: Field required";
    if (!Array.isArray(body.messages)) return "messages: Field required";
    if (isCreate && typeof body.max_tokens !== "number") return "max_tokens: Field required";
    const toolProblem = toolTurnProblem(body);
    if (toolProblem) return toolProblem;
    const breakpoints = segmentsOf(body).filter((s) => s.breakpoint).length;
    if (breakpoints > 4) {
      return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
    }
    return undefined;
  }

  private answer(reply: FakeReply, body: MessageRequestBody, res: ServerResponse): void {
    switch (reply.kind) {
      case "hang":
        return; // the socket stays open until the client aborts or stop() drops it
      case "delay": {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (!res.destroyed) this.answer(reply.then, body, res);
        }, reply.ms);
        this.#timers.add(timer);
        return;
      }
      case "error":
        return this.sendError(res, reply.status, reply.type, reply.message, reply.headers);
      case "raw":
        res.writeHead(reply.status, { "request-id": newId("req_"), ...reply.headers });
        res.end(reply.body);
        return;
      case "tool_use":
      case "json":
      case "text": {
        const message = reply.kind === "tool_use" ? this.toolUseMessage(reply, body) : this.message(reply, body);
        if (body.stream === true) this.sendStream(res, message);
        else this.sendJson(res, 200, message);
      }
    }
  }

  /** Builds the `Message`, with usage counted the way the real API counts it. */
  private message(reply: Extract<FakeReply, { kind: "json" | "text" }>, body: MessageRequestBody): Message {
    const text = reply.kind === "json" ? JSON.stringify(reply.value) : reply.text;
    const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
    const firstTool = Array.isArray(body.tools) && isRecord(body.tools[0]) ? body.tools[0]["name"] : undefined;
    const forcedTool =
      choice?.["type"] === "tool" ? choice["name"] : choice?.["type"] === "any" ? firstTool : undefined;
    // A forced tool makes the real model answer with a tool_use block carrying the value as input.
    const content: ContentBlock[] =
      reply.kind === "json" && typeof forcedTool === "string"
        ? [{ type: "tool_use", id: newId("toolu_"), name: forcedTool, input: reply.value, caller: { type: "direct" } }]
        : [{ type: "text", text, citations: null }];
    const stopReason: StopReason =
      reply.stopReason ?? (content[0]?.type === "tool_use" ? "tool_use" : "end_turn");
    return {
      id: newId("msg_"),
      type: "message",
      role: "assistant",
      model: body.model ?? "",
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      stop_details: stopReason === "refusal" ? { type: "refusal", category: null, explanation: null } : null,
      container: null,
      diagnostics: null,
      usage: { ...this.usage(body, text), ...reply.usage },
    };
  }

  /** A `tool_use` answer, built on the scripted text answer so usage is counted the same way. */
  private toolUseMessage(reply: Extract<FakeReply, { kind: "tool_use" }>, body: MessageRequestBody): Message {
    const calls = JSON.stringify(reply.calls);
    const base = this.message({ kind: "text", text: `${reply.text ?? ""}${calls}`, ...(reply.usage ? { usage: reply.usage } : {}) }, body);
    const uses: ContentBlock[] = reply.calls.map((call) => ({ type: "tool_use", id: newId("toolu_"), name: call.name, input: call.input, caller: { type: "direct" } }));
    const text: ContentBlock[] = reply.text ? [{ type: "text", text: reply.text, citations: null }] : [];
    return { ...base, content: [...text, ...uses], stop_reason: "tool_use" };
  }

  /**
   * `input_tokens` ≈ ceil(chars / 4) of what was not cached. The prefix up to a block
   * with `cache_control` (tools → system → messages) is read from the cache when an
   * earlier successful request had the same prefix, else it is written to it.
   */
  private usage(body: MessageRequestBody, output: string): Usage {
    const segments = segmentsOf(body);
    const total = tokens(segments.reduce((n, s) => n + s.text.length, 0));
    const ends = segments.flatMap((s, i) => (s.breakpoint ? [{ end: i + 1, ttl1h: s.ttl1h }] : []));
    // Top-level cache_control caches the whole prompt (automatic caching).
    if (isRecord(body.cache_control) && segments.length > 0) {
      ends.push({ end: segments.length, ttl1h: body.cache_control["ttl"] === "1h" });
    }
    const prefixes = ends
      .map(({ end, ttl1h }) => ({
        ttl1h,
        key: createHash("sha256")
          .update(JSON.stringify([body.model, segments.slice(0, end).map((s) => s.key)]))
          .digest("hex"),
        tokens: tokens(segments.slice(0, end).reduce((n, s) => n + s.text.length, 0)),
      }))
      .filter((p) => p.tokens >= this.minCacheableTokens)
      .sort((a, b) => a.tokens - b.tokens);
    const read = prefixes.filter((p) => this.#cache.has(p.key)).pop()?.tokens ?? 0;
    const longest = prefixes[prefixes.length - 1];
    const created = longest && !this.#cache.has(longest.key) ? longest.tokens - read : 0;
    for (const p of prefixes) this.#cache.add(p.key);
    const ttl1h = longest?.ttl1h ?? false;
    return {
      input_tokens: total - read - created,
      output_tokens: Math.max(1, tokens(output.length)),
      cache_creation_input_tokens: created,
      cache_read_input_tokens: read,
      cache_creation: {
        ephemeral_5m_input_tokens: ttl1h ? 0 : created,
        ephemeral_1h_input_tokens: ttl1h ? created : 0,
      },
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
    };
  }

  /** Server-sent events as the API streams them: start, one block, delta with usage, stop. */
  private sendStream(res: ServerResponse, message: Message): void {
    const events: RawMessageStreamEvent[] = [
      {
        type: "message_start",
        message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
      },
    ];
    message.content.forEach((block, index) => {
      if (block.type === "tool_use") {
        events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
        const json = JSON.stringify(block.input);
        events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json } });
      } else if (block.type === "text") {
        events.push({ type: "content_block_start", index, content_block: { ...block, text: "" } });
        for (let i = 0; i < block.text.length; i += 64) {
          const text = block.text.slice(i, i + 64);
          events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
        }
      }
      events.push({ type: "content_block_stop", index });
    });
    events.push({
      type: "message_delta",
      delta: {
        stop_reason: message.stop_reason,
        stop_sequence: null,
        stop_details: message.stop_details,
        container: null,
      },
      usage: { ...message.usage, output_tokens: message.usage.output_tokens },
    });
    events.push({ type: "message_stop" });
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": newId("req_") });
    res.end(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(""));
  }

  private sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const requestId = newId("req_");
    res.writeHead(status, { "content-type": "application/json", "request-id": requestId, ...headers });
    res.end(JSON.stringify(value));
  }

  private sendError(
    res: ServerResponse,
    status: number,
    type: string,
    message?: string,
    headers: Record<string, string> = {},
  ): void {
    const requestId = newId("req_");
    const body = { type: "error", error: { type, message: message ?? DEFAULT_MESSAGES[type] ?? type }, request_id: requestId };
    res.writeHead(status, { "content-type": "application/json", "request-id": requestId, ...headers });
    res.end(JSON.stringify(body));
  }
}
