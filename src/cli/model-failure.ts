/**
 * The one sentence a local review says when the model failed: that it failed, why,
 * and what the rules alone covered — so a model outage never reads as "nothing to
 * review" or as a clean bill of health.
 */

const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

/**
 * `The model failed (why): only the deterministic rules ran, on 3 files.`, or, when
 * some chunks got through, how many files the rules alone covered. Undefined when no
 * model request failed. `failures` are the failed requests' one-line errors.
 */
export function modelFailureLine(failures: readonly string[], counts: { failed: number; modelReviewed: number; rulesReviewed: number }): string | undefined {
  if (failures.length === 0) return undefined;
  const why = [...new Set(failures.map((f) => f.trim().replace(/\s+/g, " ").replace(/\.$/, "")))].join("; ");
  return counts.modelReviewed === 0
    ? `The model failed (${why}): only the deterministic rules ran, on ${files(counts.rulesReviewed)}.`
    : `The model failed on ${files(counts.failed)} (${why}): the deterministic rules alone checked ${counts.failed === 1 ? "it" : "them"}; the model reviewed ${files(counts.modelReviewed)}.`;
}
