/**
 * Eval cases: `eval/cases/<name>/` holds a change to review and what a reviewer
 * should say about it.
 *
 *   base/           the tree before the change (the `backend/` layout)
 *   head/           the files the change adds or rewrites, laid over base/
 *   change.patch    or: a `git apply` patch on base/ (deletions, renames)
 *   expected.yml    title (the commit subject the model sees), source (a public bug
 *                   report the case mirrors, optional) and problems: path, lines
 *                   (of the head file), oldLines (of the base file, for removed code;
 *                   optional), category, severity, description; `problems: []` for a
 *                   clean case
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UserFacingError } from "../errors.js";
import { CATEGORIES, SEVERITIES } from "../domain/findings.js";

const lines = z.union([
  z.number().int().positive().transform((n): [number, number] => [n, n]),
  z.tuple([z.number().int().positive(), z.number().int().positive()]).refine(([a, b]) => a <= b, "first line after the last"),
]);

const expectedSchema = z
  .object({
    title: z.string().min(1).describe("Commit subject of the change"),
    source: z.string().optional().describe("Public bug report the case mirrors"),
    problems: z.array(
      z
        .object({
          path: z.string().min(1),
          lines,
          /** For a problem that is removed code: where it was in the base file (a finding on the diff's LEFT side is matched there). */
          oldLines: lines.optional(),
          category: z.enum(CATEGORIES),
          severity: z.enum(SEVERITIES),
          description: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict();

/** One known problem of a case. */
export type ExpectedProblem = z.infer<typeof expectedSchema>["problems"][number];

/** A case, read and checked. */
export interface EvalCase {
  name: string;
  dir: string;
  title: string;
  source?: string | undefined;
  problems: ExpectedProblem[];
  /** How the change is given. */
  change: { kind: "head"; dir: string } | { kind: "patch"; file: string };
}

/** Reads one case directory; a malformed case is a {@link UserFacingError} naming the file and key. */
export async function loadCase(dir: string, name: string): Promise<EvalCase> {
  const file = join(dir, "expected.yml");
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserFacingError(`${file}: ${(error as Error).message.split("\n")[0]}`, undefined, { cause: error });
  }
  const parsed = expectedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserFacingError(`${file}: ${issue?.path.join(".") || "(file)"}: ${issue?.message ?? "invalid"}`, undefined, { cause: parsed.error });
  }
  if (!existsSync(join(dir, "base"))) throw new UserFacingError(`${dir}: no base/ directory`);
  const patch = join(dir, "change.patch");
  const head = join(dir, "head");
  if (existsSync(patch) === existsSync(head)) throw new UserFacingError(`${dir}: give the change as head/ or change.patch (one of them)`);
  return {
    name,
    dir,
    title: parsed.data.title,
    source: parsed.data.source,
    problems: parsed.data.problems,
    change: existsSync(patch) ? { kind: "patch", file: patch } : { kind: "head", dir: head },
  };
}

/** Every case under `root` (sorted by name), or those named in `only`. */
export async function loadCases(root: string, only: readonly string[] = []): Promise<EvalCase[]> {
  if (!existsSync(root)) throw new UserFacingError(`no cases directory at ${root}`);
  const names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length) throw new UserFacingError(`no such case: ${unknown.join(", ")} (in ${root})`);
  const chosen = only.length ? names.filter((n) => only.includes(n)) : names;
  if (chosen.length === 0) throw new UserFacingError(`no cases in ${root}`);
  return Promise.all(chosen.map((name) => loadCase(join(root, name), name)));
}
