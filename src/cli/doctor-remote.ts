import { sign, type KeyObject } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { untestedCredentials } from "../engine/providers/provider-settings.js";
import { Redis } from "ioredis";
import type { Env } from "../config/env.js";
import { check, NETWORK_TIMEOUT_MS, reasonOf, type CheckResult } from "./doctor-check.js";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/**
 * The App's JWT, signed RS256 as Octokit's app auth signs it: issued a minute in the
 * past (GitHub's advice against clock drift), valid for nine more.
 */
export function appJwt(appId: string, key: KeyObject, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const head = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(JSON.stringify({ iat: seconds - 60, exp: seconds + 540, iss: Number(appId) }))}`;
  return `${head}.${sign("sha256", Buffer.from(head), key).toString("base64url")}`;
}

/** The REST base URL the server uses: GitHub.com, or GHE_HOST with GHE_PROTOCOL. */
export function githubApiUrl(env: Pick<Env, "GHE_HOST" | "GHE_PROTOCOL">): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

/** `GET /app` with the App's JWT: the App ID and the private key belong together, and GitHub is reachable. */
export async function checkGitHubApp(env: Env, key: KeyObject | undefined): Promise<CheckResult> {
  const label = "GitHub App";
  if (!env.APP_ID) {
    return check(
      "fail",
      label,
      `APP_ID is not set, so the server runs in setup mode; run \`npm start\` and open http://localhost:${env.PORT} to register the App (it writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env), or set them from an existing App`,
    );
  }
  if (!key) return check("skip", label, "needs a valid private key (see above)");
  const url = `${githubApiUrl(env)}/app`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/vnd.github+json", authorization: `Bearer ${appJwt(env.APP_ID, key)}`, "user-agent": "backend-agent-doctor" },
      signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS),
    });
  } catch (error) {
    return check("fail", label, `GET ${url}: ${reasonOf(error)}; check the network${env.GHE_HOST ? ", GHE_HOST and GHE_PROTOCOL" : ""}`);
  }
  const body = (await response.json().catch(() => ({}))) as { slug?: string; id?: number; message?: string };
  if (response.ok) return check("ok", label, `GET ${url} as App ${env.APP_ID}: app "${body.slug ?? "?"}"`);
  const why = `GET ${url} answered ${response.status}${body.message ? ` (${body.message})` : ""}`;
  if (response.status === 401) {
    return check("fail", label, `${why}: APP_ID ${env.APP_ID} and the private key do not match; copy the App ID from the App's settings page and use a key generated there (and check this machine's clock)`);
  }
  return check("fail", label, `${why}; check GHE_HOST/GHE_PROTOCOL and GitHub's status`);
}

/** `GET /v1/models`: the key is accepted, without a paid call. No key is a rules-only setup, not a failure. */
export async function checkModelKey(env: Env): Promise<CheckResult> {
  const label = "model key";
  const untested = untestedCredentials(env);
  if (untested) return check("skip", label, untested);
  if (!env.ANTHROPIC_API_KEY) {
    return check("warn", label, "ANTHROPIC_API_KEY is not set: reviews run the deterministic rules only; add ANTHROPIC_API_KEY=… to .env on a line of its own for model reviews");
  }
  const client = new Anthropic({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL ?? null, timeout: NETWORK_TIMEOUT_MS, maxRetries: 0 });
  const host = new URL(client.baseURL).host;
  try {
    const page = await client.models.list({ limit: 100 });
    return check("ok", label, `ANTHROPIC_API_KEY accepted by ${host} (${page.data.length} models listed)`);
  } catch (error) {
    if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError) {
      return check("fail", label, `${host} refused ANTHROPIC_API_KEY (${error.status}); create a key at https://console.anthropic.com/settings/keys and set it on a line of its own in .env`);
    }
    if (error instanceof Anthropic.APIConnectionTimeoutError) return check("fail", label, `${host}: no answer within ${NETWORK_TIMEOUT_MS / 1000} s; check the network and ANTHROPIC_BASE_URL`);
    if (error instanceof Anthropic.APIConnectionError) return check("fail", label, `cannot reach ${host}: ${reasonOf(error.cause ?? error)}; check the network and ANTHROPIC_BASE_URL`);
    if (error instanceof Anthropic.APIError) return check("fail", label, `${host} answered ${error.status ?? "?"}: ${error.message.split("\n")[0]}`);
    return check("fail", label, `${host}: ${reasonOf(error)}`);
  }
}

/** PING, when REDIS_URL switches the queue to BullMQ. The URL's password is never shown. */
export async function checkRedis(env: Env): Promise<CheckResult> {
  const label = "Redis";
  if (!env.REDIS_URL) return check("skip", label, "REDIS_URL is not set: the embedded queue in DATA_DIR is used");
  const host = new URL(env.REDIS_URL).host;
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    connectTimeout: NETWORK_TIMEOUT_MS,
    commandTimeout: NETWORK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Without a listener ioredis prints every connection error itself; the check's line says it once,
  // with the socket's reason (ECONNREFUSED…) rather than the later "Connection is closed".
  let socketError: unknown;
  redis.on("error", (error: unknown) => (socketError ??= error));
  try {
    await redis.connect();
    const pong = await redis.ping();
    return check("ok", label, `${host} answered PING with ${pong}`);
  } catch (error) {
    return check("fail", label, `${host}: ${reasonOf(socketError ?? error)}; start Redis there (e.g. docker run -p 6379:6379 redis:7) or unset REDIS_URL to use the embedded queue`);
  } finally {
    redis.disconnect();
  }
}
