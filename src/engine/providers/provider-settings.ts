import type { Env, ModelProvider } from "../../config/env.js";

/** The names people know the providers by, for the check summary, logs and /readyz. */
export const PROVIDER_LABELS: Readonly<Record<ModelProvider, string>> = {
  anthropic: "the Anthropic API",
  bedrock: "Amazon Bedrock",
  vertex: "Google Vertex AI",
  foundry: "Microsoft Foundry",
};

/**
 * How each provider gets JSON that matches the answer's schema by default (`auto`), and why.
 * Checked against the providers' documentation (2026): `output_config.format` is generally
 * available on the Anthropic API and on Bedrock's InvokeModel; Vertex AI serves it only where
 * the organisation policy `constraints/vertexai.allowedPartnerModelFeatures` allows
 * `structured_outputs`, which it does not by default; Foundry has it in public beta. A forced
 * tool call is served everywhere, and the engine validates the answer with zod either way.
 */
const STRUCTURED_DEFAULTS: Readonly<Record<ModelProvider, { mode: "native" | "tool"; why?: string }>> = {
  anthropic: { mode: "native" },
  bedrock: { mode: "native" },
  vertex: { mode: "tool", why: "Vertex AI serves output_config.format only where an organisation policy allows it, and none does by default; set MODEL_STRUCTURED_OUTPUT=native once yours does" },
  foundry: { mode: "tool", why: "structured outputs are in beta on Microsoft Foundry; set MODEL_STRUCTURED_OUTPUT=native to use them" },
};

/** The settings of the provider a process talks to. */
export type ProviderSettings = Pick<Env, "MODEL_PROVIDER" | "MODEL_STRUCTURED_OUTPUT">;

/** How this process asks for structured answers: the provider's native format, or a forced tool call. */
export function structuredOutputMode(env: ProviderSettings): "native" | "tool" {
  return env.MODEL_STRUCTURED_OUTPUT === "auto" ? STRUCTURED_DEFAULTS[env.MODEL_PROVIDER].mode : env.MODEL_STRUCTURED_OUTPUT;
}

/**
 * What the engine does differently on this provider, one sentence each, for the start-up
 * log and the check summary. Empty on the Anthropic API.
 */
export function providerNotes(env: ProviderSettings): string[] {
  const notes: string[] = [];
  if (structuredOutputMode(env) === "tool") {
    const why = env.MODEL_STRUCTURED_OUTPUT === "tool" ? "MODEL_STRUCTURED_OUTPUT=tool" : STRUCTURED_DEFAULTS[env.MODEL_PROVIDER].why;
    notes.push(`Answers came through a forced tool call instead of native structured output: ${why}. They are validated against the same schema.`);
  }
  return notes;
}

/**
 * What MODEL_PROVIDER needs and lacks, as [variable, problem]: the start-up line names the
 * variable. Credentials resolved by a chain (AWS, Google ADC) are not checked here: they may
 * come from a file or the machine's role.
 */
export function providerProblems(env: Record<string, unknown>): Array<[string, string]> {
  const has = (name: string) => env[name] !== undefined;
  const problems: Array<[string, string]> = [];
  const need = (name: string, why: string) => void (has(name) || problems.push([name, why]));
  switch (env["MODEL_PROVIDER"]) {
    case "bedrock":
      need("AWS_REGION", "is required with MODEL_PROVIDER=bedrock (the region of your Bedrock model access, e.g. us-east-1)");
      if (has("AWS_ACCESS_KEY_ID") !== has("AWS_SECRET_ACCESS_KEY")) problems.push([has("AWS_ACCESS_KEY_ID") ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID", "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither to use the AWS default credential chain"]);
      break;
    case "vertex":
      need("CLOUD_ML_REGION", "is required with MODEL_PROVIDER=vertex (global, us, eu, or a region such as us-east5)");
      need("ANTHROPIC_VERTEX_PROJECT_ID", "is required with MODEL_PROVIDER=vertex (the Google Cloud project with Claude enabled)");
      break;
    case "foundry":
      if (has("ANTHROPIC_FOUNDRY_RESOURCE") === has("ANTHROPIC_FOUNDRY_BASE_URL")) problems.push(["ANTHROPIC_FOUNDRY_RESOURCE", "set exactly one of ANTHROPIC_FOUNDRY_RESOURCE (the Foundry resource name) and ANTHROPIC_FOUNDRY_BASE_URL with MODEL_PROVIDER=foundry"]);
      if (has("ANTHROPIC_FOUNDRY_API_KEY") === has("ANTHROPIC_FOUNDRY_AUTH_TOKEN")) problems.push(["ANTHROPIC_FOUNDRY_API_KEY", "set exactly one of ANTHROPIC_FOUNDRY_API_KEY and ANTHROPIC_FOUNDRY_AUTH_TOKEN with MODEL_PROVIDER=foundry"]);
      break;
  }
  return problems;
}


/**
 * Why no model is configured, or undefined when one is: only the Anthropic API can be left
 * without credentials (the rules then run alone); the cloud providers' settings are
 * required at start-up and their credential chains are asked at the first call.
 */
export function modelMissing(env: Pick<Env, "MODEL_PROVIDER" | "ANTHROPIC_API_KEY">): string | undefined {
  return env.MODEL_PROVIDER === "anthropic" && !env.ANTHROPIC_API_KEY ? "ANTHROPIC_API_KEY is not set" : undefined;
}

/**
 * Why `doctor` cannot test this provider's credentials for free, or undefined on the Anthropic
 * API (whose `GET /v1/models` costs nothing). The clouds list models on another endpoint,
 * under other permissions than invoking one; a review's first call tells instead.
 */
export function untestedCredentials(env: Pick<Env, "MODEL_PROVIDER">): string | undefined {
  if (env.MODEL_PROVIDER === "anthropic") return undefined;
  return `MODEL_PROVIDER=${env.MODEL_PROVIDER}: ${PROVIDER_LABELS[env.MODEL_PROVIDER]}'s credentials are not tested here (no free call to try them); the first review's check says if they are refused`;
}

/** The variables that choose and reach the model provider (besides ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL): what the CLI reads too. */
export const PROVIDER_VARIABLES = [
  "MODEL_PROVIDER", "MODEL_STRUCTURED_OUTPUT",
  "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "BEDROCK_INFERENCE_PROFILE", "ANTHROPIC_BEDROCK_BASE_URL",
  "CLOUD_ML_REGION", "ANTHROPIC_VERTEX_PROJECT_ID", "ANTHROPIC_VERTEX_ACCESS_TOKEN", "ANTHROPIC_VERTEX_BASE_URL",
  "ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_BASE_URL", "ANTHROPIC_FOUNDRY_API_KEY", "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
] as const satisfies ReadonlyArray<keyof Env>;
