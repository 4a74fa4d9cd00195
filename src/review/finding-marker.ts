/**
 * What a posted finding remembers about itself, in hidden HTML comments on the
 * bot's own review comments, so that the next review can read back what was said
 * from GitHub — no local state. The data travels base64url-encoded: model text may
 * contain `-->`, which would end the comment early. The markers that are read back
 * (finding data, ignored) are signed for their PR ({@link PullMarkerSigner}): an
 * unsigned one — forged, copied, edited, or written before markers were signed —
 * counts as absent (a finding then gets posted once more).
 */
import { z } from "zod";
import { CATEGORIES, SEVERITIES, type Finding } from "../domain/findings.js";
import type { FindingIdentity } from "../domain/fingerprint.js";
import { SIGNED_TOKEN, type PullMarkerSigner } from "./marker-signer.js";

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

/** The signed data marker of a posted finding (its text is already redacted). */
export function findingDataMarker(finding: Finding, id: FindingIdentity, signer: PullMarkerSigner): string {
  const data: FindingData = {
    fp: id.fingerprint, key: id.problemKey, code: id.codeHash, n: id.lines,
    path: finding.path, side: finding.side, line: finding.line, severity: finding.severity, category: finding.category, title: finding.title.slice(0, 200),
  };
  return `<!-- ${PREFIX}:finding-data ${signer.sign("finding-data", data)} -->`;
}

const FINDING_DATA = new RegExp(`<!-- ${PREFIX}:finding-data (${SIGNED_TOKEN}) -->`);

/** The finding data in a comment body, or undefined when there is none, it does not parse, or its MAC is not valid for this PR. */
export function readFindingData(body: string, signer: PullMarkerSigner): FindingData | undefined {
  const match = FINDING_DATA.exec(body);
  if (!match?.[1]) return undefined;
  const parsed = findingDataSchema.safeParse(signer.open("finding-data", match[1]));
  return parsed.success ? parsed.data : undefined;
}

/** What an `ignored` marker records: which finding, and who had it ignored. */
export const ignoredDataSchema = z.object({
  fp: z.string().regex(/^[0-9a-f]{16}$/),
  /** Login of the person who ran `/backend-agent ignore` (checked for write permission then). */
  by: z.string().min(1).max(100),
});
export type IgnoredData = z.infer<typeof ignoredDataSchema>;

/** The signed marker of the bot's reply confirming `/backend-agent ignore` on a finding's thread. */
export const ignoredMarker = (data: IgnoredData, signer: PullMarkerSigner) => `<!-- ${PREFIX}:ignored ${signer.sign("ignored", data)} -->`;

const IGNORED = new RegExp(`<!-- ${PREFIX}:ignored (${SIGNED_TOKEN}) -->`, "g");

/** The validly signed `ignored` markers of a body. */
export function readIgnored(body: string, signer: PullMarkerSigner): IgnoredData[] {
  return [...body.matchAll(IGNORED)].flatMap((m) => {
    const parsed = ignoredDataSchema.safeParse(signer.open("ignored", m[1] ?? ""));
    return parsed.success ? [parsed.data] : [];
  });
}

/** The marker every inline finding comment carries: the bot wrote it, and which finding it is. */
export const findingMarker = (fingerprint: string) => `<!-- ${PREFIX}:finding ${fingerprint} -->`;

/** The check summary's hidden list of the open findings' fingerprints. */
export const openMarker = (fingerprints: readonly string[]) => `<!-- ${PREFIX}:open ${fingerprints.join(" ")} -->`;

/** A finding the bot posted on this PR earlier, as read back from its own review comment. */
export interface PriorFinding {
  data: FindingData;
  /** The review comment that carries it (the thread's first comment). */
  commentId: number;
  /** `resolved`: someone allowed to resolved its thread; `ignored`: `/backend-agent ignore` was answered in it. */
  state: "posted" | "resolved" | "ignored";
  /** Login of who dismissed it (state `resolved` or `ignored`). */
  dismissedBy?: string | undefined;
}
