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

export type ModelFinding = z.infer<typeof modelFindingSchema>;
export type ReviewOutput = z.infer<typeof reviewOutputSchema>;

/** Answer of `/backend-agent ask`. */
export const answerOutputSchema = z.object({
  answer: z.string().min(1).describe("Markdown answer grounded in the diff; say so when the diff does not tell"),
});
