/**
 * Signed hidden markers. The app keeps its state (which findings it posted, which
 * were dismissed and by whom) in hidden HTML comments on GitHub, where anyone who
 * can comment can also write `<!-- backend-agent:… -->`. A marker therefore counts
 * only when it carries a MAC made with a key only the app's processes hold, over
 * the marker's kind, its content AND the pull request it belongs to — a marker
 * copied from another comment, another PR or another repository, or edited, fails.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Marker format version: a token is `v1.<payload base64url>.<HMAC-SHA256 base64url>`. */
const VERSION = "v1";
const MAC_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
const MAC_CHARS = 43;
/** Longest payload accepted (base64url chars): a finding's data is well under 1 KB. */
export const MAX_PAYLOAD_CHARS = 4000;

/**
 * The token pattern, for building marker regexes. Linear: the three parts are
 * separated by `.`, which neither character class contains, and each is bounded.
 */
export const SIGNED_TOKEN = `${VERSION}\\.[A-Za-z0-9_-]{1,${MAX_PAYLOAD_CHARS}}\\.[A-Za-z0-9_-]{${MAC_CHARS}}`;

/** Signs and verifies the markers of one pull request. */
export interface PullMarkerSigner {
  /** The token carrying `payload` (any JSON value), bound to `kind` and this PR. */
  sign(kind: string, payload: unknown): string;
  /** The payload of a token made by {@link sign} with the same kind for this PR; undefined for anything else. */
  open(kind: string, token: string): unknown;
}

/** The app's marker key; {@link forPull} binds it to one pull request. */
export interface MarkerSigner {
  forPull(ref: { owner: string; repo: string; pullNumber: number }): PullMarkerSigner;
}

/**
 * Derives the marker key from the app's webhook secret with HKDF-SHA256 (a separate
 * key for a separate purpose: the secret itself keeps only verifying webhooks). Every
 * serving and working process has WEBHOOK_SECRET (env.ts requires it with APP_ID).
 * The private key is not used: it may come as a file path, it is rotated more often
 * (each rotation would void every marker), and HMAC wants a symmetric secret.
 * Rotating the webhook secret voids the markers too: findings are then posted once more.
 */
export function createMarkerSigner(secret: string): MarkerSigner {
  if (secret.length === 0) throw new Error("marker key: the webhook secret is empty");
  const key = Buffer.from(hkdfSync("sha256", secret, "backend-agent", "backend-agent marker mac v1", MAC_BYTES));
  const macOf = (kind: string, context: string, payload: string) =>
    // NUL cannot occur in a kind, an owner/repo name or base64url: the fields cannot run into each other.
    createHmac("sha256", key).update(`${VERSION}\0${kind}\0${context}\0${payload}`).digest();
  return {
    forPull(ref) {
      const context = `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}#${ref.pullNumber}`;
      return {
        sign(kind, payload) {
          const data = Buffer.from(JSON.stringify(payload)).toString("base64url");
          if (data.length > MAX_PAYLOAD_CHARS) throw new Error(`marker payload over ${MAX_PAYLOAD_CHARS} chars`);
          return `${VERSION}.${data}.${macOf(kind, context, data).toString("base64url")}`;
        },
        open(kind, token) {
          const parts = token.split(".");
          if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
          const [, data = "", mac = ""] = parts;
          if (data.length === 0 || data.length > MAX_PAYLOAD_CHARS || mac.length !== MAC_CHARS) return undefined;
          const given = Buffer.from(mac, "base64url");
          const expected = macOf(kind, context, data);
          if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
          try {
            return JSON.parse(Buffer.from(data, "base64url").toString("utf8")) as unknown;
          } catch {
            return undefined;
          }
        },
      };
    },
  };
}
