/**
 * The project's own instructions for reviewers, trusted because they come from the
 * default branch (never from the pull request, whose author could rewrite them):
 * `CLAUDE.md`, `REVIEW.md` and `AGENTS.md` at the root and in `backend/` (the
 * seed's agent tells the model to follow CLAUDE.md), plus the config's path-scoped
 * `instructions`. They go in the cached system part; their size is capped, and
 * what was cut or left out is reported.
 */
import picomatch from "picomatch";
import { redactText } from "../diff/redact.js";
import { safeSlice } from "../diff/line-cap.js";

/** Looked for in this order; the first ones win the size budget. */
export const PROJECT_INSTRUCTION_FILES = ["CLAUDE.md", "REVIEW.md", "AGENTS.md", "backend/CLAUDE.md", "backend/REVIEW.md", "backend/AGENTS.md"] as const;

/** Caps of {@link loadProjectInstructions}, in characters. */
export interface InstructionLimits {
  perFile: number;
  total: number;
}

/** ~4k tokens per file, ~8k in all: instructions, not documentation. */
export const DEFAULT_INSTRUCTION_LIMITS: InstructionLimits = { perFile: 16_000, total: 32_000 };

/** One file found, and how much of it was kept. */
export interface InstructionFile {
  path: string;
  chars: number;
  kept: number;
}

/** What was loaded: the system-prompt text and what it holds, for the summary. */
export interface ProjectInstructions {
  /** `<project_instructions path="…">` blocks, or "" when none was found. */
  text: string;
  files: InstructionFile[];
  /** True when a file was cut or left out by the caps. */
  cut: boolean;
}

/**
 * Reads the instruction files through `readDefaultBranchFile` (the app: the
 * default branch through GitHub; the CLI: the local checkout's default branch or
 * working tree, as its caller decides). Secrets are redacted like everything else
 * the model sees.
 */
export async function loadProjectInstructions(
  readDefaultBranchFile: (path: string) => Promise<string | undefined>,
  limits: InstructionLimits = DEFAULT_INSTRUCTION_LIMITS,
): Promise<ProjectInstructions> {
  const found = await Promise.all(PROJECT_INSTRUCTION_FILES.map(async (path) => ({ path, text: await readDefaultBranchFile(path) })));
  const files: InstructionFile[] = [];
  const blocks: string[] = [];
  let left = limits.total;
  for (const { path, text } of found) {
    if (text === undefined || text.trim() === "") continue;
    const kept = safeSlice(text, Math.max(0, Math.min(limits.perFile, left)));
    left -= kept.length;
    files.push({ path, chars: text.length, kept: kept.length });
    if (kept.length === 0) continue;
    const note = kept.length < text.length ? `\n[cut: ${text.length - kept.length} more characters not shown]` : "";
    blocks.push(`<project_instructions path="${path}">\n${redactText(kept, { path }).text}${note}\n</project_instructions>`);
  }
  const header = blocks.length > 0 ? "The repository's own instructions for reviewers, from its default branch (trusted; follow them where they apply to review):\n\n" : "";
  return { text: header + blocks.join("\n\n"), files, cut: files.some((f) => f.kept < f.chars) };
}

/** One path-scoped instruction of the config. */
export interface PathInstruction {
  paths: string[];
  text: string;
}

/** The config's instructions whose globs match any of `paths` (the files of one request), in config order. */
export function instructionsFor(paths: readonly string[], instructions: readonly PathInstruction[]): string[] {
  return instructions.filter((i) => {
    const match = picomatch(i.paths, { dot: true });
    return paths.some((p) => match(p));
  }).map((i) => i.text);
}
