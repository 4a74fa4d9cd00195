/**
 * The open findings of the whole PR at its head: what this review found that was
 * never said, plus what the bot said earlier whose code is still in the PR's diff.
 * The label and the conclusion follow this set, not just the latest increment.
 */
import type { FileDiff } from "../diff/types.js";
import type { Finding } from "../domain/findings.js";
import type { FindingData } from "./finding-marker.js";
import { codeHash, normaliseLine } from "../domain/fingerprint.js";
import type { PriorFinding } from "./finding-marker.js";
import type { ReportedFinding } from "./summary.js";

/** The PR's findings after this review. */
export interface OpenSet {
  /** Found now and never posted: this review posts them. */
  fresh: ReportedFinding[];
  /** Posted earlier, code still in the diff, thread neither resolved nor ignored. */
  stillOpen: ReportedFinding[];
  /** Posted earlier, and their code changed or left the diff. */
  fixed: FindingData[];
}

/**
 * Where a finding's code is in the diff now: the last line of the first run of
 * `data.n` consecutive lines on its side whose normalised text hashes to
 * `data.code`, or undefined when the code was changed or removed.
 */
export function locateCode(data: FindingData, file: FileDiff | undefined): { startLine: number; line: number } | undefined {
  if (!file || !data.code || data.n < 1) return undefined;
  const lines = file.hunks
    .flatMap((h) => h.lines)
    .flatMap((l) => {
      const n = data.side === "RIGHT" ? (l.kind === "del" ? undefined : l.newLine) : l.kind === "add" ? undefined : l.oldLine;
      return n === undefined ? [] : [{ n, text: normaliseLine(l.text) }];
    })
    .sort((a, b) => a.n - b.n);
  for (let i = 0; i + data.n <= lines.length; i++) {
    const window = lines.slice(i, i + data.n);
    const first = window[0];
    const last = window[window.length - 1];
    if (!first || !last || last.n - first.n !== data.n - 1) continue;
    if (codeHash(window.map((l) => l.text).join("\n")) === data.code) return { startLine: first.n, line: last.n };
  }
  return undefined;
}

/** A finding rebuilt from its marker, for the summary, the annotations and the decision. */
function fromData(data: FindingData, at: { startLine: number; line: number }): Finding {
  return {
    path: data.path, line: at.line, startLine: at.startLine < at.line ? at.startLine : undefined, side: data.side,
    severity: data.severity, category: data.category, title: data.title, body: "Posted in an earlier review; the code is unchanged.", confidence: 1, source: "model",
  };
}

/**
 * Splits the PR's findings: `fresh` are this review's new findings (already
 * without repeats and closed threads, see analyseFindings); earlier ones are still
 * open while their code is in the diff at head, fixed otherwise. A repeat found
 * again now keeps its fresh text and current lines.
 */
export function openSet(fresh: readonly ReportedFinding[], repeated: readonly ReportedFinding[], prior: readonly PriorFinding[], diffs: readonly FileDiff[]): OpenSet {
  const byPath = new Map(diffs.map((d) => [d.path, d]));
  const stillOpen: ReportedFinding[] = [];
  const fixed: FindingData[] = [];
  for (const p of prior) {
    if (p.state !== "posted") continue;
    const again = repeated.find((r) => r.fingerprint === p.data.fp || r.identity?.problemKey === p.data.key);
    const at = locateCode(p.data, byPath.get(p.data.path));
    if (!at) {
      fixed.push(p.data);
      continue;
    }
    stillOpen.push(
      again
        ? { ...again, fingerprint: p.data.fp, inline: true, reason: undefined, status: "open" }
        : { finding: fromData(p.data, at), fingerprint: p.data.fp, inline: true, status: "open" },
    );
  }
  return { fresh: fresh.map((f) => ({ ...f, status: "new" })), stillOpen, fixed };
}
