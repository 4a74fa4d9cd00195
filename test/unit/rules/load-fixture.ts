/** Reads the rule fixtures (see test/fixtures/diffs/make-fixtures.mjs) as the pipeline would parse them. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import type { ChangedFile, FileDiff } from "../../../src/diff/types.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/diffs");

/** A finding a case expects (or, for `gap-` cases, produces today). */
export interface Expected {
  rule: string;
  path: string;
  side: "LEFT" | "RIGHT";
  line: number;
}

/** One entry of manifest.json. */
export interface FixtureCase {
  family: string;
  name: string;
  kind: "tp" | "fp" | "gap";
  note?: string;
  files: Array<{ path: string; status: ChangedFile["status"]; additions: number; deletions: number; patch: string | null }>;
  expect: Expected[];
  actual?: Expected[];
}

/** Every case, in generation order. */
export const CASES = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as FixtureCase[];

/** Every stored patch's text, for replaying under other paths. */
export function allPatches(): string[] {
  return CASES.flatMap((c) => c.files.flatMap((f) => (f.patch ? [readFileSync(join(DIR, f.patch), "utf8")] : [])));
}

/** A case's files as parsed diffs. */
export function filesOf(c: FixtureCase): FileDiff[] {
  return c.files.map((f) =>
    toFileDiff({ ...f, patch: f.patch === null ? undefined : readFileSync(join(DIR, f.patch), "utf8") }),
  );
}

/** The files of fixture `family/name`. */
export function loadFixture(id: string): FileDiff[] {
  const entry = CASES.find((c) => `${c.family}/${c.name}` === id);
  if (!entry) throw new Error(`no fixture ${id}`);
  return filesOf(entry);
}
