import Anthropic, { type ClientOptions, type Middleware } from "@anthropic-ai/sdk";
import type { GoogleAuth, OAuth2Client } from "google-auth-library";
import type { Env, ModelProvider } from "../config/env.js";
import type { ModelClient } from "./review-engine.js";
import { PROVIDER_LABELS, providerNotes, structuredOutputMode } from "./providers/provider-settings.js";
import { providerSdk } from "./providers/provider-sdks.js";
import { toolAnswerMiddleware } from "./providers/tool-answer.js";

export { loadProviderSdk } from "./providers/provider-sdks.js";

/** What the engine needs of a client (every provider's SDK serves `messages.create`; Bedrock's has no `countTokens`, none has `batches`). */
export type { ModelClient };

/** The provider behind a client, for messages, the summary and /readyz. */
export interface ModelClientInfo {
  provider: ModelProvider;
  /** `Amazon Bedrock` */
  label: string;
  /** What the engine does differently there, and why (empty on the Anthropic API). */
  notes: string[];
}

/** The environment the factory reads. */
export type ModelClientEnv = Pick<
  Env,
  | "MODEL_PROVIDER" | "MODEL_STRUCTURED_OUTPUT" | "MODEL_TIMEOUT_MS" | "MODEL_MAX_RETRIES"
  | "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL"
  | "AWS_REGION" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN" | "AWS_BEARER_TOKEN_BEDROCK" | "ANTHROPIC_BEDROCK_BASE_URL"
  | "CLOUD_ML_REGION" | "ANTHROPIC_VERTEX_PROJECT_ID" | "ANTHROPIC_VERTEX_ACCESS_TOKEN" | "ANTHROPIC_VERTEX_BASE_URL"
  | "ANTHROPIC_FOUNDRY_RESOURCE" | "ANTHROPIC_FOUNDRY_BASE_URL" | "ANTHROPIC_FOUNDRY_API_KEY" | "ANTHROPIC_FOUNDRY_AUTH_TOKEN"
>;

const INFO = new WeakMap<object, ModelClientInfo>();
const ANTHROPIC_INFO: ModelClientInfo = { provider: "anthropic", label: PROVIDER_LABELS.anthropic, notes: [] };

/** The provider behind `client` (a client made elsewhere, as in tests, is the Anthropic API's). */
export const describeClient = (client: ModelClient): ModelClientInfo => INFO.get(client) ?? ANTHROPIC_INFO;

/**
 * Google's default credentials are looked up when the client is made; on a machine without
 * them that lookup fails seconds later with nobody waiting, which would end the process.
 * Here the failure waits for the first request, which reports it like any connection error.
 */
function deferredGoogleAuth(): GoogleAuth {
  const auth = new (providerSdk("vertex").google.GoogleAuth)({ scopes: "https://www.googleapis.com/auth/cloud-platform" });
  const getClient = auth.getClient.bind(auth);
  auth.getClient = () => {
    const client = getClient();
    client.catch(() => undefined);
    return client;
  };
  return auth;
}

/** The options every provider's client takes alike. */
type CommonOptions = Pick<ClientOptions, "timeout" | "maxRetries" | "middleware" | "fetch">;

/** The provider's SDK client; `common` carries timeout, retries, fetch and middleware. */
function providerClient(env: ModelClientEnv, common: CommonOptions): ModelClient | undefined {
  // Every setting is passed explicitly (null for "none"), so that no SDK falls back to a
  // variable of the process environment that the validated env did not check.
  switch (env.MODEL_PROVIDER) {
    case "anthropic":
      if (!env.ANTHROPIC_API_KEY) return undefined;
      return new Anthropic({ ...common, apiKey: env.ANTHROPIC_API_KEY, authToken: null, baseURL: env.ANTHROPIC_BASE_URL ?? null });
    case "bedrock": {
      const bedrock = { ...common, apiKey: env.AWS_BEARER_TOKEN_BEDROCK ?? null, awsRegion: env.AWS_REGION ?? "", ...(env.ANTHROPIC_BEDROCK_BASE_URL ? { baseURL: env.ANTHROPIC_BEDROCK_BASE_URL } : {}) };
      // Without both keys, AWS's default chain: environment, profile, SSO, web identity, ECS, EC2 role.
      const { AnthropicBedrock } = providerSdk("bedrock");
      return env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? new AnthropicBedrock({ ...bedrock, awsAccessKey: env.AWS_ACCESS_KEY_ID, awsSecretKey: env.AWS_SECRET_ACCESS_KEY, awsSessionToken: env.AWS_SESSION_TOKEN ?? null })
        : new AnthropicBedrock(bedrock);
    }
    case "vertex": {
      const { AnthropicVertex, google } = providerSdk("vertex");
      let auth: { authClient: OAuth2Client } | { googleAuth: GoogleAuth };
      if (env.ANTHROPIC_VERTEX_ACCESS_TOKEN) {
        const authClient = new google.OAuth2Client();
        authClient.setCredentials({ access_token: env.ANTHROPIC_VERTEX_ACCESS_TOKEN });
        auth = { authClient };
      } else {
        auth = { googleAuth: deferredGoogleAuth() };
      }
      return new AnthropicVertex({ ...common, ...auth, region: env.CLOUD_ML_REGION ?? null, projectId: env.ANTHROPIC_VERTEX_PROJECT_ID ?? null, ...(env.ANTHROPIC_VERTEX_BASE_URL ? { baseURL: env.ANTHROPIC_VERTEX_BASE_URL } : {}) });
    }
    case "foundry": {
      const token = env.ANTHROPIC_FOUNDRY_AUTH_TOKEN;
      const credential = token ? { azureADTokenProvider: () => Promise.resolve(token) } : { apiKey: env.ANTHROPIC_FOUNDRY_API_KEY };
      const { AnthropicFoundry } = providerSdk("foundry");
      return new AnthropicFoundry({ ...common, ...credential, resource: env.ANTHROPIC_FOUNDRY_RESOURCE ?? null, baseURL: env.ANTHROPIC_FOUNDRY_BASE_URL ?? null });
    }
  }
}

/**
 * The client of the configured provider (MODEL_PROVIDER), or undefined when the Anthropic
 * API has no key (the rules still run). Explicit timeout and retries: every SDK retries
 * 408/409/429/5xx and connection errors (a credential chain that cannot answer included),
 * honouring retry-after; the review reports what is left. Where the provider lacks native
 * structured output, answers come through a forced tool call (see tool-answer.ts). A cloud
 * provider's SDK must have been loaded first ({@link loadProviderSdk}).
 */
export function createModelClient(env: ModelClientEnv, options: { fetch?: ClientOptions["fetch"] } = {}): ModelClient | undefined {
  const middleware: Middleware[] = structuredOutputMode(env) === "tool" ? [toolAnswerMiddleware] : [];
  const common: CommonOptions = { timeout: env.MODEL_TIMEOUT_MS, maxRetries: env.MODEL_MAX_RETRIES, middleware, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const client = providerClient(env, common);
  if (client) INFO.set(client, { provider: env.MODEL_PROVIDER, label: PROVIDER_LABELS[env.MODEL_PROVIDER], notes: providerNotes(env) });
  return client;
}
