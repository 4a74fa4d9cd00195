/**
 * The review load of the review-threads benchmark and of the main-thread profile: a
 * 3,000-file pull request and ten ordinary ones, opened on the fake GitHub of a rig.
 */
import type { ProcessRig } from "../test/support/process-rig.js";

/** Ordinary pull requests opened beside the big one. */
export const ORDINARY = 10;
/** The big one: 3,000 files of 4 lines. */
export const BIG = { files: 3000, lines: 4 };

/** `count` Python files of `lines` lines under backend/. */
export function pythonFiles(prefix: string, count: number, lines: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    out[`backend/${prefix}${i % 25}/module_${i}.py`] = Array.from({ length: lines }, (_, l) => `value_${i}_${l} = compute(${l}, "${"x".repeat(l % 17)}")`).join("\n") + "\n";
  }
  return out;
}

/**
 * Opens the big PR (900) and the ordinary ones (901…) on the rig; the model answers "no
 * findings". Round `r` opens them as 900 + 100r…, so that a later round's reviews are new work.
 */
export function openReviewLoad(rig: ProcessRig, round = 0): Array<{ number: number; sha: string }> {
  rig.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
  const first = 900 + 100 * round;
  const prs = [{ number: first, sha: rig.openPullRequest(first, { base: {}, head: pythonFiles(`big${round}_`, BIG.files, BIG.lines) }) }];
  for (let i = 0; i < ORDINARY; i++) prs.push({ number: first + 1 + i, sha: rig.openPullRequest(first + 1 + i, { base: {}, head: pythonFiles(`r${round}pr${i}_`, 10, 30) }) });
  return prs;
}
