import type { ModelProvider } from "../../config/env.js";

/** The cloud providers' SDKs, by provider. */
interface ProviderSdks {
  bedrock: typeof import("@anthropic-ai/bedrock-sdk");
  vertex: typeof import("@anthropic-ai/vertex-sdk") & { google: typeof import("google-auth-library") };
  foundry: typeof import("@anthropic-ai/foundry-sdk");
}

const loaded: Partial<ProviderSdks> = {};

/**
 * Loads the SDK of `provider` (nothing for the Anthropic API, whose SDK every path loads).
 * Loaded only when configured because each weighs 20–40 MB of heap and 1–3 s of start-up
 * in every process and worker thread (Bedrock's AWS chain the most): loading all three
 * cost each thread ~45 MB and ~3 s (`npm run bench -- review-threads`).
 */
export async function loadProviderSdk(provider: ModelProvider): Promise<void> {
  switch (provider) {
    case "anthropic":
      return;
    case "bedrock":
      loaded.bedrock ??= await import("@anthropic-ai/bedrock-sdk");
      return;
    case "vertex":
      loaded.vertex ??= { ...(await import("@anthropic-ai/vertex-sdk")), google: await import("google-auth-library") };
      return;
    case "foundry":
      loaded.foundry ??= await import("@anthropic-ai/foundry-sdk");
      return;
  }
}

/** The SDK of `provider`, loaded by {@link loadProviderSdk} before (a missed call is a programming error, said plainly). */
export function providerSdk<P extends keyof ProviderSdks>(provider: P): ProviderSdks[P] {
  const sdk = loaded[provider];
  if (!sdk) throw new Error(`the ${provider} SDK was not loaded: await loadProviderSdk("${provider}") before creating its client`);
  return sdk;
}
