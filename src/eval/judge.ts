/**
 * `--judge`: a second opinion on near misses. When a finding sits on a known
 * problem's lines but names another category ("security" for a "tenancy" leak),
 * the matcher says no; the judge model reads both and decides whether they are
 * the same problem. Every decision is kept, with the model's reason, for a person
 * to check (`judge.json` beside the report).
 */
import type { ModelClient } from "../engine/review-engine.js";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import { z } from "zod";
import { dataFrame } from "../engine/data-frame.js";
import { messageOf } from "../errors.js";
import type { Finding } from "../domain/findings.js";
import type { ExpectedProblem } from "./cases.js";
import { findingKey } from "./match.js";

/** One disputed pair and what the judge made of it. */
export interface JudgeDecision {
  config: string;
  case: string;
  /** Index of the problem in the case's expected.yml. */
  problem: number;
  expected: ExpectedProblem;
  finding: Pick<Finding, "path" | "line" | "startLine" | "category" | "severity" | "title" | "confidence">;
  /** The judge's verdict; undefined when its call failed or its answer was unusable (no match then). */
  same?: boolean | undefined;
  reason: string;
}

const verdict = z.object({ same: z.boolean(), reason: z.string().max(300) });

const SYSTEM = `You check an automated code review against a list of known problems. You get one known problem and one review finding on the same lines of the same file; their categories differ. Decide whether the finding describes the same underlying problem (same cause, the fix of one fixes the other), whatever category it gives. Answer with JSON: {"same": true|false, "reason": "<one sentence>"}.`;

/** Asks `model` about one pair; never throws (a failure is a decision with no verdict). */
export async function judgePair(client: ModelClient, model: string, problem: ExpectedProblem, finding: Finding): Promise<{ same?: boolean | undefined; reason: string }> {
  const frame = dataFrame();
  // The finding's text came from a model reading hostile code: it is data, bounded and framed.
  const user = [
    frame.legend(["known_problem", "finding"]),
    frame.block("known_problem", `${problem.path} lines ${problem.lines[0]}-${problem.lines[1]} [${problem.category}, ${problem.severity}]: ${problem.description}`),
    frame.block("finding", `${finding.path} lines ${finding.startLine ?? finding.line}-${finding.line} [${finding.category}, ${finding.severity}]: ${finding.title.slice(0, 300)}\n${finding.body.slice(0, 2000)}`),
  ].join("\n\n");
  try {
    const message = await client.messages.create({
      model, max_tokens: 300, system: SYSTEM, messages: [{ role: "user", content: user }],
      output_config: { format: zodOutputFormat(verdict) },
    });
    const text = message.content.find((b) => b.type === "text")?.text ?? "";
    const parsed = verdict.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : { reason: "unusable answer from the judge" };
  } catch (error) {
    return { reason: `judge call failed: ${messageOf(error)}` };
  }
}

/** The pairs the judge accepted, as the matcher's `accepted` keys. */
export const acceptedKeys = (decisions: readonly JudgeDecision[], caseName: string): Set<string> =>
  new Set(decisions.filter((d) => d.case === caseName && d.same === true).map((d) => `${d.problem}|${findingKey(d.finding as Finding)}`));
