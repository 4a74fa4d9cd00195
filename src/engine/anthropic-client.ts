import Anthropic from "@anthropic-ai/sdk";
import type { Env } from "../config/env.js";

/**
 * The SDK client with explicit timeout and retries: the SDK retries 408/409/429/5xx
 * itself, honouring retry-after; the review reports what is left.
 */
export function createAnthropicClient(env: Pick<Env, "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "MODEL_TIMEOUT_MS" | "MODEL_MAX_RETRIES">): Anthropic | undefined {
  if (!env.ANTHROPIC_API_KEY) return undefined;
  return new Anthropic({
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL ?? null,
    timeout: env.MODEL_TIMEOUT_MS,
    maxRetries: env.MODEL_MAX_RETRIES,
  });
}
