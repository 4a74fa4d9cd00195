import { createHash } from "node:crypto";
import type { FileDiff } from "../diff/types.js";
import type { Finding } from "./findings.js";

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
    .map((line) => normaliseLine(line.text))
    .join("\n");
}

/** Whitespace folded: a re-indent or trailing spaces do not make new code. */
export const normaliseLine = (text: string) => text.replace(/\s+/g, " ").trim();

const sha = (...parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);

/** Hash of normalised code lines, as stored in a finding's hidden marker to find the code again later. */
export const codeHash = (code: string) => sha(code);

/**
 * The gist of a title: its longer words, lower-cased, de-duplicated and sorted, so
 * that "Queryset not scoped to tenant" and "Tenant: queryset not scoped" agree.
 */
export function titleGist(title: string): string {
  const words = title.toLowerCase().match(/[a-z0-9_]{4,}/g) ?? [];
  return [...new Set(words)].sort().join(" ");
}

/**
 * "The same problem on the same code": path + category + code hash. Two findings
 * with this key are one problem whatever their titles say (the merge step already
 * keeps one finding per category and lines), so a reworded repeat is recognised.
 */
export const problemKey = (path: string, category: string, hash: string) => sha(path, category, hash);

/** Everything that identifies a finding across pushes. */
export interface FindingIdentity {
  /** path + category + normalised code + title gist; not the line number. */
  fingerprint: string;
  problemKey: string;
  /** Hash of the normalised code (empty when the finding has no code in the diff). */
  codeHash: string;
  /** Number of code lines the finding covers. */
  lines: number;
}

/**
 * A stable id for a finding: path + category + the normalised code it is about +
 * the gist of its title, not the line number, so a push that moves the code keeps
 * the id. Without code (a finding off the diff) the title alone stands in.
 */
export function identify(finding: Finding, file: FileDiff | undefined): FindingIdentity {
  const code = codeOf(finding, file);
  const gist = titleGist(finding.title);
  const hash = code ? codeHash(code) : "";
  return {
    fingerprint: sha(finding.path, finding.category, code, gist),
    problemKey: problemKey(finding.path, finding.category, hash || gist),
    codeHash: hash,
    lines: code ? code.split("\n").length : 0,
  };
}

/** The fingerprint alone (see {@link identify}). */
export function fingerprint(finding: Finding, file: FileDiff | undefined): string {
  return identify(finding, file).fingerprint;
}
