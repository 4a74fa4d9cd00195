import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { z } from "zod";
import type { AgentDefinition } from "../agents/load-agent.js";
import { UserFacingError } from "../errors.js";
import { describeClient } from "./anthropic-client.js";
import { buildSystem } from "./prompt.js";

/** Token counts of one or more calls. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Adds `more` into `total` and returns it. */
export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  total.input += more.input;
  total.output += more.output;
  total.cacheRead += more.cacheRead;
  total.cacheWrite += more.cacheWrite;
  return total;
}

export const emptyUsage = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/**
 * The one SDK call the engine makes. Anthropic's client fits it, and so does any
 * other that answers `messages.create` the same way (another provider's SDK, a tool
 * loop, a recording): the core (src/core/review-diff.ts) takes its model as this port.
 */
export interface ModelClient {
  messages: {
    create(body: Anthropic.MessageCreateParamsNonStreaming, options?: { signal?: AbortSignal | undefined }): PromiseLike<Anthropic.Message>;
  };
}

/** One structured call's result. */
export interface EngineResult<T> {
  output: T;
  usage: TokenUsage;
  /** Model calls made, including the retry after invalid output. */
  calls: number;
}

/** Options that do not change between calls of one review. */
export interface EngineOptions {
  model: string;
  maxOutputTokens: number;
}

/** The usage of one answered call. */
export const usageOf = (message: Anthropic.Message): TokenUsage => ({
  input: message.usage.input_tokens,
  output: message.usage.output_tokens,
  cacheRead: message.usage.cache_read_input_tokens ?? 0,
  cacheWrite: message.usage.cache_creation_input_tokens ?? 0,
});

/** Turns an SDK failure into a sentence for the check summary, naming the provider (`the Anthropic API`, `Amazon Bedrock`…). */
export function describeApiError(error: unknown, provider: string): UserFacingError {
  // The SDK's error stays the cause: its status and request id reach the logs (apiErrorFields in src/errors.ts).
  const cause = { cause: error };
  if (error instanceof Anthropic.APIUserAbortError) return new UserFacingError("The review's time budget ran out during this request.", undefined, cause);
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new UserFacingError("The model did not answer in time (request timed out).", undefined, cause);
  if (error instanceof Anthropic.APIConnectionError) {
    // Also a credential chain that gave no credentials (AWS's, Google's): the SDKs say so in their own words, which are kept.
    const why = error.message === "Connection error." ? "" : ` (${error.message.slice(0, 120).replace(/\.$/, "")})`;
    return new UserFacingError(`${provider[0]?.toUpperCase()}${provider.slice(1)} could not be reached${why}.`, undefined, cause);
  }
  if (error instanceof Anthropic.APIError) {
    const kinds: Record<number, string> = {
      401: `${provider} rejected the credentials (401)`,
      // Bedrock also answers 403 to credentials it does not know.
      403: `${provider} refused the credentials, or their access to this model (403)`,
      404: `the model was not found on ${provider} (404)`,
      429: "the API rate limit was hit (429) and retries ran out",
      529: "the API is overloaded (529) and retries ran out",
    };
    const what = kinds[error.status ?? 0] ?? `the API answered ${error.status ?? "an error"}`;
    return new UserFacingError(`The model call failed: ${what}.`, undefined, cause);
  }
  return new UserFacingError("The model call failed unexpectedly.", undefined, cause);
}

/** Parses the first text block as JSON and validates it; returns the problem instead of throwing. */
export function readOutput<T>(message: Anthropic.Message, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
  if (message.stop_reason === "refusal") return { ok: false, problem: "the model refused to answer" };
  if (message.stop_reason === "max_tokens") return { ok: false, problem: "the answer was cut off at max_tokens" };
  const text = message.content.find((block) => block.type === "text")?.text ?? "";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the answer was not valid JSON" };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: `the answer did not match the schema (${first?.path.join(".") || "root"}: ${first?.message})` };
}

/**
 * Sends a request with native structured output and validates the answer with
 * zod. An invalid answer is retried once with the reason; a second invalid
 * answer becomes a {@link UserFacingError}.
 */
export async function callStructured<T, A = T>(
  client: ModelClient,
  options: EngineOptions,
  request: {
    agent: AgentDefinition;
    user: string;
    /** The answer's shape, sent as the request's output format. */
    schema: z.ZodType<T>;
    /**
     * What makes an answer usable, when looser than `schema`: only an answer that
     * fails this is retried (the review accepts any object with a findings array and
     * validates each finding itself).
     */
    accept?: z.ZodType<A> | undefined;
    signal?: AbortSignal | undefined;
    /**
     * Told each answered call's usage as it arrives, the retry's and an unusable answer's
     * included (they are billed too), so that spend is counted even when the call fails.
     */
    onUsage?: ((usage: TokenUsage) => void | Promise<void>) | undefined;
  },
): Promise<EngineResult<A>> {
  const usage = emptyUsage();
  const accept = (request.accept ?? request.schema) as z.ZodType<A>;
  let note = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    let message: Anthropic.Message;
    try {
      message = await client.messages.create({
        model: options.model,
        max_tokens: options.maxOutputTokens,
        system: buildSystem(request.agent),
        messages: [{ role: "user", content: request.user + note }],
        output_config: { format: zodOutputFormat(request.schema as z.ZodType) },
      }, { signal: request.signal });
    } catch (error) {
      throw describeApiError(error, describeClient(client).label);
    }
    const used = usageOf(message);
    addUsage(usage, used);
    await request.onUsage?.(used);
    const result = readOutput(message, accept);
    if (result.ok) return { output: result.value, usage, calls: attempt };
    if (attempt === 2) throw new UserFacingError(`The model's answer was unusable twice: ${result.problem}.`);
    note = `\n\nYour previous answer to this request was rejected: ${result.problem}. Answer with the JSON object only.`;
  }
  throw new Error("unreachable");
}
