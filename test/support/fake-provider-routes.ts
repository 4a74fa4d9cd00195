/**
 * The cloud providers' paths and credentials in front of the fake Anthropic API, as the
 * official SDKs send them: Bedrock `POST /model/{id}/invoke` signed with AWS SigV4 (or a
 * Bedrock API key as a bearer token); Vertex AI
 * `POST /projects/{p}/locations/{r}/publishers/anthropic/models/{id}:rawPredict` with a
 * Google OAuth bearer token; Foundry `POST /anthropic/v1/messages` with `x-api-key` or a
 * Microsoft Entra bearer token. Bedrock and Vertex take the model from the path and the API
 * version from the body (`anthropic_version`), and reject a `model` in the body.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";

export type FakeProvider = "anthropic" | "bedrock" | "vertex" | "foundry";

/** A request mapped onto the Anthropic API's route. */
export interface ProviderRoute {
  provider: FakeProvider;
  /** `POST /v1/messages`, `POST /v1/messages/count_tokens`, `GET /v1/models`, or the path unknown. */
  route: string;
  /** The access key id (SigV4), the bearer token or `x-api-key`. */
  credential?: string | undefined;
  /** Bedrock and Vertex: the model named in the path. */
  model?: string | undefined;
  /** A request the real service would refuse with 400, and why. */
  problem?: string | undefined;
  /** Bedrock and Vertex: the region the request was signed for or sent to. */
  region?: string | undefined;
}

const BEDROCK = /^\/model\/([^/]+)\/invoke$/;
const VERTEX = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
};
const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(header(req, "authorization") ?? "")?.[1];

function bedrock(req: IncomingMessage, id: string, body: Record<string, unknown>, rawBody: string): ProviderRoute {
  const route: ProviderRoute = { provider: "bedrock", route: "POST /v1/messages", model: decodeURIComponent(id) };
  const signed = SIGV4.exec(header(req, "authorization") ?? "");
  if (signed) {
    const [, keyId, region, service, signedHeaders] = signed;
    route.region = region;
    // The signature covers the body: its hash, when sent, must be this body's.
    const hash = header(req, "x-amz-content-sha256");
    const intact = hash === undefined || hash === createHash("sha256").update(rawBody).digest("hex");
    if (service === "bedrock" && header(req, "x-amz-date") && signedHeaders?.split(";").includes("host") && intact) route.credential = keyId;
  } else {
    route.credential = bearer(req);
  }
  if ("model" in body) route.problem = "Malformed input request: extraneous key [model] is not permitted, please reformat your input and try again.";
  else if (typeof body["anthropic_version"] !== "string") route.problem = "Malformed input request: #: required key [anthropic_version] not found";
  return route;
}

function vertex(req: IncomingMessage, match: RegExpExecArray, body: Record<string, unknown>): ProviderRoute {
  const route: ProviderRoute = { provider: "vertex", route: "POST /v1/messages", credential: bearer(req), model: decodeURIComponent(match[3] ?? ""), region: match[2] };
  if ("model" in body) route.problem = "Invalid JSON payload received. Unknown name \"model\": Cannot find field.";
  else if (body["anthropic_version"] !== "vertex-2023-10-16" && typeof body["anthropic_version"] !== "string") route.problem = "anthropic_version: Field required";
  return route;
}

/** Maps a request onto the Anthropic API's routes, naming the provider whose paths it used. */
export function providerRoute(req: IncomingMessage, path: string, body: Record<string, unknown>, rawBody: string): ProviderRoute {
  const pathname = path.split("?")[0] ?? "";
  const method = req.method ?? "GET";
  const bedrockPath = BEDROCK.exec(pathname);
  if (bedrockPath && method === "POST") return bedrock(req, bedrockPath[1] ?? "", body, rawBody);
  const vertexPath = VERTEX.exec(pathname);
  if (vertexPath && method === "POST") return vertex(req, vertexPath, body);
  if (pathname.startsWith("/anthropic/v1/")) {
    return { provider: "foundry", route: `${method} ${pathname.slice("/anthropic".length)}`, credential: header(req, "x-api-key") ?? bearer(req) };
  }
  return { provider: "anthropic", route: `${method} ${pathname}`, credential: header(req, "x-api-key") || bearer(req) };
}

/** What each service answers to credentials it does not accept (status, body, headers). */
export function authFailure(provider: FakeProvider): { status: number; body: unknown; headers: Record<string, string> } | undefined {
  switch (provider) {
    case "bedrock":
      return { status: 403, body: { message: "The security token included in the request is invalid." }, headers: { "x-amzn-errortype": "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/" } };
    case "vertex":
      return { status: 401, body: { error: { code: 401, message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", status: "UNAUTHENTICATED" } }, headers: {} };
    case "foundry":
      return { status: 401, body: { error: { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." } }, headers: {} };
    case "anthropic":
      return undefined;
  }
}
