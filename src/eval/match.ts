/**
 * The matcher: a finding matches a known problem when it is on the same path, its
 * lines touch the problem's range widened by {@link LINE_SLACK} on each side, and
 * its category agrees. Each problem and each finding is matched once at most
 * more; a second finding on an already matched problem, same category, is a duplicate:
 * neither a hit nor a false positive (the secret rule reports an AWS key id and its
 * secret separately; they are one problem).
 */
import type { Finding } from "../domain/findings.js";
import type { ExpectedProblem } from "./cases.js";

/** Lines of slack on each side of an expected range. */
export const LINE_SLACK = 3;

/** A pair: index of the problem, index of the finding. */
export interface Pair {
  problem: number;
  finding: number;
}

/** Identifies a finding across runs and cut-offs (what a judge's decision is stored under). */
export const findingKey = (f: Finding) => `${f.path}:${f.startLine ?? f.line}-${f.line}:${f.category}:${f.title}`;

/**
 * Same path and lines within the widened range, whatever the category. A finding on
 * removed lines (LEFT) is numbered in the base file: it is held against `oldLines`
 * when the case gives them.
 */
export function near(finding: Finding, problem: ExpectedProblem): boolean {
  if (finding.path !== problem.path) return false;
  const lines = finding.side === "LEFT" ? (problem.oldLines ?? problem.lines) : problem.lines;
  const [from, to] = [lines[0] - LINE_SLACK, lines[1] + LINE_SLACK];
  return (finding.startLine ?? finding.line) <= to && finding.line >= from;
}

/**
 * Matches `findings` to `problems`, most confident findings first. `accepted` holds
 * judge-approved pairs (`problem index|finding key`) that match despite their category.
 * Returns the matches and the unmatched near pairs whose category disagrees (for a judge).
 */
export function matchFindings(findings: readonly Finding[], problems: readonly ExpectedProblem[], accepted: ReadonlySet<string> = new Set()): { matches: Pair[]; duplicates: number[]; disputed: Pair[] } {
  const order = findings.map((_, i) => i).sort((a, b) => findings[b]!.confidence - findings[a]!.confidence || a - b);
  const taken = new Set<number>();
  const matches: Pair[] = [];
  for (const finding of order) {
    const f = findings[finding]!;
    const problem = problems.findIndex((p, i) => !taken.has(i) && near(f, p) && (p.category === f.category || accepted.has(`${i}|${findingKey(f)}`)));
    if (problem < 0) continue;
    taken.add(problem);
    matches.push({ problem, finding });
  }
  const matched = new Set(matches.map((m) => m.finding));
  const duplicates = order.filter((i) => !matched.has(i) && matches.some((m) => near(findings[i]!, problems[m.problem]!) && findings[i]!.category === problems[m.problem]!.category));
  const disputed: Pair[] = [];
  for (const finding of order) {
    if (matched.has(finding) || duplicates.includes(finding)) continue;
    problems.forEach((p, problem) => {
      if (!taken.has(problem) && near(findings[finding]!, p)) disputed.push({ problem, finding });
    });
  }
  return { matches, duplicates, disputed };
}
