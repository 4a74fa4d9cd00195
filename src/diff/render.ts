import type { FileDiff } from "./types.js";

const WIDTH = 6;
const pad = (n: number | undefined) => (n === undefined ? "" : String(n)).padStart(WIDTH);
const MARK = { add: "+", del: "-", context: " " } as const;

/**
 * Prints a file's hunks with both line numbers in front of each line, so that the
 * model can cite a line exactly as GitHub numbers it: NEW for + and context lines
 * (side RIGHT), OLD for - lines (side LEFT).
 */
export function renderNumberedDiff(file: FileDiff, hunkIndexes?: readonly number[]): string {
  const rename = file.previousPath ? ` (renamed from ${file.previousPath})` : "";
  const out = [`### ${file.path} — ${file.status}${rename}`, `${"OLD".padStart(WIDTH)} ${"NEW".padStart(WIDTH)}`];
  for (const hunk of file.hunks) {
    if (hunkIndexes && !hunkIndexes.includes(hunk.index)) continue;
    out.push(hunk.header);
    for (const line of hunk.lines) {
      out.push(`${pad(line.oldLine)} ${pad(line.newLine)} ${MARK[line.kind]}${line.text}`);
    }
  }
  return out.join("\n");
}
