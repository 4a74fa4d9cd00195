/**
 * What a posted finding remembers about itself, in hidden HTML comments on the
 * bot's own review comments, so that the next review can read back what was said
 * from GitHub — no local state. The data travels base64url-encoded: model text may
 * contain `-->`, which would end the comment early.
 */
import { z } from "zod";
import { CATEGORIES, SEVERITIES, type Finding } from "../types.js";
import type { FindingIdentity } from "./fingerprint.js";

const PREFIX = "backend-agent";

/** A finding as its marker describes it. */
export const findingDataSchema = z.object({
  fp: z.string().regex(/^[0-9a-f]{16}$/),
  key: z.string().regex(/^[0-9a-f]{16}$/),
  code: z.string().regex(/^([0-9a-f]{16})?$/),
  n: z.number().int().min(0),
  path: z.string().min(1),
  side: z.enum(["LEFT", "RIGHT"]),
  line: z.number().int().min(1),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  title: z.string(),
});
export type FindingData = z.infer<typeof findingDataSchema>;

/** The data marker of a posted finding (its text is already redacted). */
export function findingDataMarker(finding: Finding, id: FindingIdentity): string {
  const data: FindingData = {
    fp: id.fingerprint, key: id.problemKey, code: id.codeHash, n: id.lines,
    path: finding.path, side: finding.side, line: finding.line, severity: finding.severity, category: finding.category, title: finding.title.slice(0, 200),
  };
  return `<!-- ${PREFIX}:finding-data ${Buffer.from(JSON.stringify(data)).toString("base64url")} -->`;
}

/** The finding data in a comment body, or undefined when there is none (or it does not parse). */
export function readFindingData(body: string): FindingData | undefined {
  const match = new RegExp(`<!-- ${PREFIX}:finding-data ([A-Za-z0-9_-]+) -->`).exec(body);
  if (!match?.[1]) return undefined;
  try {
    const parsed = findingDataSchema.safeParse(JSON.parse(Buffer.from(match[1], "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The marker of the bot's reply confirming `/backend-agent ignore` on a finding's thread. */
export const ignoredMarker = (fingerprint: string) => `<!-- ${PREFIX}:ignored ${fingerprint} -->`;

/** Fingerprints a body marks as ignored. */
export function readIgnored(body: string): string[] {
  return [...body.matchAll(new RegExp(`<!-- ${PREFIX}:ignored ([0-9a-f]{16}) -->`, "g"))].map((m) => m[1] ?? "").filter(Boolean);
}

/** The marker every inline finding comment carries: the bot wrote it, and which finding it is. */
export const findingMarker = (fingerprint: string) => `<!-- ${PREFIX}:finding ${fingerprint} -->`;

/** The check summary's hidden list of the open findings' fingerprints. */
export const openMarker = (fingerprints: readonly string[]) => `<!-- ${PREFIX}:open ${fingerprints.join(" ")} -->`;
