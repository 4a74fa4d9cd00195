import { createHash } from "node:crypto";
import type { FileDiff } from "../diff/types.js";
import type { Finding } from "../types.js";

/** The code a finding is about: its lines on its side, whitespace folded. */
export function codeOf(finding: Finding, file: FileDiff | undefined): string {
  if (!file) return "";
  const first = finding.startLine ?? finding.line;
  const numberOn = (l: { oldLine?: number | undefined; newLine?: number | undefined; kind: string }) =>
    finding.side === "RIGHT" ? (l.kind === "del" ? undefined : l.newLine) : l.kind === "add" ? undefined : l.oldLine;
  return file.hunks
    .flatMap((hunk) => hunk.lines)
    .filter((line) => {
      const n = numberOn(line);
      return n !== undefined && n >= first && n <= finding.line;
    })
    .map((line) => line.text.replace(/\s+/g, " ").trim())
    .join("\n");
}

/**
 * A stable id for a finding: path + category + the normalised code it is about,
 * not the line number, so a push that moves the code keeps the id. Without code
 * (a finding off the diff) the title stands in.
 */
export function fingerprint(finding: Finding, file: FileDiff | undefined): string {
  const code = codeOf(finding, file) || finding.title.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  return createHash("sha256").update(`${finding.path}\0${finding.category}\0${code}`).digest("hex").slice(0, 16);
}
