import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether the request carries `Authorization: Bearer <token>`. Compared as digests in
 * constant time, so neither the token's length nor its prefix shows in the timing.
 */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(req.headers.authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}
