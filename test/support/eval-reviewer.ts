/**
 * A scripted reviewer for the fake Anthropic API, for the eval's tests: it answers
 * each review request of the replay set the way a fallible model would — one case
 * right, one with the right lines but another category (what `--judge` settles),
 * one clean case with a low-confidence false positive (what the sweep shows), one
 * miss — and the judge's requests with "same". The findings sit on the lines the
 * cases' expected.yml gives, read from the cases themselves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { FakeReply, RecordedMessageRequest } from "./fake-anthropic.js";

/** The cases the cassette covers (a few, to keep the committed cassette small). */
export const REPLAY_CASES = ["tenant-queryset-escapes-tenant", "drf-object-permission-dropped", "clean-tenant-filter-through-manager", "migration-index-locks-big-table"];

interface Expected {
  title: string;
  problems: Array<{ path: string; lines: [number, number]; category: string; severity: string }>;
}

const finding = (over: Record<string, unknown>) => ({ side: "RIGHT", title: "Problem", body: "Why it is a problem and how to fix it.", confidence: 0.9, ...over });

/** What the scripted model answers per case title. */
function answers(casesDir: string): Map<string, unknown[]> {
  const read = (name: string) => parse(readFileSync(join(casesDir, name, "expected.yml"), "utf8")) as Expected;
  const [tenant, permission, clean, index] = REPLAY_CASES.map(read) as [Expected, Expected, Expected, Expected];
  const t = tenant.problems[0]!;
  const p = permission.problems[0]!;
  return new Map<string, unknown[]>([
    [tenant.title, [finding({ path: t.path, line: t.lines[0], category: "tenancy", severity: "critical", title: "Paid invoices of every tenant are summed" })]],
    // Right lines, other category: the matcher says no, a judge may say yes.
    [permission.title, [finding({ path: p.path, line: p.lines[0], category: "bug", severity: "high", title: "Object permission removed" })]],
    [clean.title, [finding({ path: "backend/billing/reports.py", line: 10, category: "maintainability", severity: "low", title: "Prefer a named constant for the status", confidence: 0.6 })]],
    [index.title, []],
  ]);
}

/** The fake's `fallback`: review requests by case title, judge requests with a verdict. */
export function scriptedReviewer(casesDir: string): (req: RecordedMessageRequest) => FakeReply {
  const byTitle = answers(casesDir);
  return (req) => {
    if (typeof req.body.system === "string" && req.body.system.includes("known problems")) {
      return { kind: "json", value: { same: true, reason: "Both say the owner check is gone from the invoice viewset." }, usage: { input_tokens: 300, output_tokens: 30 } };
    }
    const title = [...byTitle.keys()].find((k) => req.rawBody.includes(`title: ${k}`));
    const findings = title === undefined ? [] : byTitle.get(title)!;
    return { kind: "json", value: { summary: findings.length ? "Found problems." : "No issues found.", findings }, usage: { input_tokens: 4000, output_tokens: 250 } };
  };
}
