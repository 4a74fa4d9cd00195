import type { Middleware } from "@anthropic-ai/sdk";

/** The tool a forced-tool answer is given through. */
export const ANSWER_TOOL = "submit_answer";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The request without `output_config.format`, answering through {@link ANSWER_TOOL} instead; undefined when there is nothing to change. */
function asToolRequest(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const config = body["output_config"];
  const format = isRecord(config) ? config["format"] : undefined;
  if (!isRecord(format) || format["type"] !== "json_schema" || body["stream"] === true) return undefined;
  const { format: _format, ...restConfig } = config as Record<string, unknown>;
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  const answer = { name: ANSWER_TOOL, description: "Submit the answer. Its input is the whole answer.", input_schema: format["schema"] };
  // `none` is the tool loop's "answer now": then only the answer tool may be called.
  const choice = body["tool_choice"];
  const answerNow = tools.length === 0 || (isRecord(choice) && choice["type"] === "none");
  const rewritten: Record<string, unknown> = {
    ...body,
    // The answer tool first: a model that must call some tool and has nothing left to read answers.
    tools: [answer, ...tools],
    // With other tools (a tool loop) the model may still call them first; it must end with a tool call.
    tool_choice: answerNow ? { type: "tool", name: ANSWER_TOOL } : { type: "any" },
  };
  if (Object.keys(restConfig).length) rewritten["output_config"] = restConfig;
  else delete rewritten["output_config"];
  return rewritten;
}

/** The message with the answer tool's input as the JSON text a native structured answer has. */
function asTextAnswer(message: Record<string, unknown>): Record<string, unknown> | undefined {
  const content = Array.isArray(message["content"]) ? (message["content"] as unknown[]) : [];
  const call = content.find((block) => isRecord(block) && block["type"] === "tool_use" && block["name"] === ANSWER_TOOL);
  if (!isRecord(call)) return undefined;
  return {
    ...message,
    content: [{ type: "text", text: JSON.stringify(call["input"] ?? null), citations: null }],
    stop_reason: message["stop_reason"] === "tool_use" ? "end_turn" : message["stop_reason"],
  };
}

/**
 * Structured output by a forced tool call, for providers that do not serve
 * `output_config.format` (or serve it only in beta or behind a policy). The engine keeps
 * asking for `output_config.format`; this middleware, which sees the canonical request on
 * every provider (the SDK adapts it to Bedrock's or Vertex's wire shape inside `next`),
 * moves the schema into a tool the model must call and hands the call's input back as the
 * text answer. The engine validates it against the schema as before. Streams pass unchanged.
 */
export const toolAnswerMiddleware: Middleware = async (request, next, ctx) => {
  const path = ctx.options?.path.split("?")[0];
  if (path !== "/v1/messages" || typeof request.body !== "string") return next(request);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return next(request);
  }
  const rewritten = isRecord(body) ? asToolRequest(body) : undefined;
  if (!rewritten) return next(request);
  const response = await next({ ...request, body: JSON.stringify(rewritten) });
  if (!response.ok) return response;
  const message = await ctx.parse<unknown>(response);
  const answer = isRecord(message) ? asTextAnswer(message) : undefined;
  if (!answer) return response;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(answer), { status: response.status, statusText: response.statusText, headers });
};
