import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "../domain/findings.js";

/** One finding as the model must return it (before placement and fingerprinting). */
export const modelFindingSchema = z.object({
  path: z.string().min(1).describe("File path exactly as printed in the diff header"),
  line: z.number().int().positive().describe("Line the finding is about (last line of a range)"),
  startLine: z.number().int().positive().nullable().optional().describe("First line of a multi-line range, same hunk and side"),
  side: z.enum(["RIGHT", "LEFT"]).describe("RIGHT for added/context lines (NEW numbers), LEFT for deleted lines (OLD numbers)"),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  title: z.string().min(1).max(200).describe("One line, no trailing period"),
  body: z.string().min(1).describe("What is wrong, why it matters, how to fix it (markdown, concise)"),
  suggestion: z
    .string()
    .nullable()
    .optional()
    .describe("Complete replacement for lines startLine..line on RIGHT, only when the fix is local and complete"),
  confidence: z.number().min(0).max(1).describe("Probability that this is a real problem a senior reviewer would flag"),
});

/** The whole structured answer for one chunk of the diff. */
export const reviewOutputSchema = z.object({
  summary: z.string().describe("One or two sentences on this part of the change; no praise, no restating the diff"),
  findings: z.array(modelFindingSchema),
});

/** The model's answer about one rule candidate of the request (issue 19 §4). */
export const verdictSchema = z.object({
  id: z.string().min(1).max(20).describe("The candidate's id exactly as given (R1, R2…)"),
  verdict: z.enum(["confirmed", "rejected"]).describe("confirmed: a senior reviewer of this code would want it raised; rejected: otherwise"),
  reason: z.string().min(1).max(500).describe("One sentence: why"),
});

/**
 * The answer of a chunk that carries rule candidates: the findings, and one verdict
 * per candidate. Only such chunks ask for it, so a request without candidates is
 * the same as before (its cached prefix and recorded eval answers stay valid).
 */
export const reviewWithVerdictsSchema = reviewOutputSchema.extend({
  verdicts: z.array(verdictSchema).describe("One verdict per candidate id of the request's candidates block"),
});

/**
 * What makes a chunk's answer usable at all: an object with a findings array. The
 * findings are then checked one by one ({@link checkFindings}), and so are the
 * verdicts ({@link checkVerdicts}): a malformed one never costs the chunk.
 */
export const reviewAnswerSchema = z.object({ findings: z.array(z.unknown()), verdicts: z.unknown().optional() });

export type ModelVerdict = z.infer<typeof verdictSchema>;

export type ModelFinding = z.infer<typeof modelFindingSchema>;
export type ReviewOutput = z.infer<typeof reviewOutputSchema>;

/** A chunk's findings after validation: the valid ones, and why each other one was dropped. */
export interface CheckedFindings {
  findings: ModelFinding[];
  /** One line per dropped finding: its index in the answer and the first problem (`findings.2.confidence: …`). */
  dropped: string[];
}

/** Validates each finding on its own: a malformed one is dropped with its reason, the others are kept. */
export function checkFindings(raw: readonly unknown[]): CheckedFindings {
  const checked: CheckedFindings = { findings: [], dropped: [] };
  raw.forEach((item, i) => {
    const parsed = modelFindingSchema.safeParse(item);
    if (parsed.success) checked.findings.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      checked.dropped.push(`findings.${[i, ...(issue?.path ?? [])].join(".")}: ${issue?.message ?? "invalid"}`);
    }
  });
  return checked;
}

/** A chunk's verdicts after validation: those about the request's candidates, and why each other one was dropped. */
export interface CheckedVerdicts {
  verdicts: ModelVerdict[];
  /** One line per malformed verdict (`verdicts.1.verdict: …`); its candidate is posted as the rules found it. */
  malformed: string[];
}

/**
 * Validates each verdict on its own. Only ids offered in this request count (a
 * verdict cannot reach another chunk's candidate); the first verdict per id wins.
 * No verdicts at all is not malformed: those candidates simply have no verdict.
 */
export function checkVerdicts(raw: unknown, offered: ReadonlySet<string>): CheckedVerdicts {
  const checked: CheckedVerdicts = { verdicts: [], malformed: [] };
  if (raw === undefined || raw === null || offered.size === 0) return checked;
  if (!Array.isArray(raw)) return { ...checked, malformed: ["verdicts: not an array"] };
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const parsed = verdictSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      checked.malformed.push(`verdicts.${[i, ...(issue?.path ?? [])].join(".")}: ${issue?.message ?? "invalid"}`);
    } else if (!offered.has(parsed.data.id)) checked.malformed.push(`verdicts.${i}.id: not a candidate of this request`);
    else if (!seen.has(parsed.data.id)) {
      seen.add(parsed.data.id);
      checked.verdicts.push(parsed.data);
    }
  });
  return checked;
}

/** Answer of `/backend-agent ask`. */
export const answerOutputSchema = z.object({
  answer: z.string().min(1).describe("Markdown answer grounded in the diff; say so when the diff does not tell"),
});
