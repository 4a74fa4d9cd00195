/**
 * The model's read-only tools over the pull request's head commit, described as
 * Claude Code describes its Read, Grep and Glob tools, and run against a
 * {@link SnapshotReader}. The model's input is validated first (it is untrusted),
 * and every result goes back inside a data block of the request's frame: file
 * contents are written by whoever wrote the repository, so an instruction found in
 * them is data, never a command.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type { ReadResult, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { DataFrame } from "../data-frame.js";
import type { ToolName } from "./agent-tools.js";

/** The data block tool results are framed in. */
export const TOOL_OUTPUT_BLOCK = "tool_output";

const DEFINITIONS: Record<ToolName, Anthropic.Tool> = {
  read_file: {
    name: "read_file",
    description:
      "Reads a file of the pull request's head commit (the repository as the change leaves it), for code outside the diff: the model a serializer exposes, the permission class a view inherits, a middleware, a task, a settings module.\n" +
      "- path is relative to the repository root, e.g. backend/orgs/views.py (no absolute paths, no .., no .git/).\n" +
      "- By default it reads up to 2000 lines from the start; for a long file give offset (1-based line to start at) and limit (number of lines).\n" +
      "- Lines come numbered as cat -n prints them: the number, a tab, the line. Lines over 2000 characters are cut.\n" +
      "- Binary files, links and files over the size cap are refused. Secrets appear as <redacted:KIND>.",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "Path of the file, relative to the repository root" },
        offset: { type: "integer", minimum: 1, description: "Line number to start reading from (1-based)" },
        limit: { type: "integer", minimum: 1, description: "Number of lines to read" },
      },
      required: ["path"],
      additionalProperties: false,
    },
  },
  grep: {
    name: "grep",
    description:
      "Searches the contents of the head commit's files with a regular expression, like ripgrep, and returns the matching lines as path:line:text.\n" +
      "- Regex syntax: literals, ., [...], \\d \\w \\s \\b, groups, |, * + ? {n,m}, ^ $ (e.g. \"class \\w+View\", \"permission_classes\\s*=\"). Look-around and back-references are not supported.\n" +
      "- Narrow with path (a directory or file, e.g. backend/orgs) and glob (e.g. \"*.py\", \"backend/**/migrations/*.py\"); set -i for a case-insensitive search.\n" +
      "- Results are capped at 100 lines; when cut, narrow the pattern, path or glob.",
    input_schema: {
      type: "object",
      properties: {
        pattern: { type: "string", description: "The regular expression to search for" },
        path: { type: "string", description: "Directory or file to search in, relative to the repository root (default: all)" },
        glob: { type: "string", description: "Only files matching this glob, e.g. \"*.py\"" },
        "-i": { type: "boolean", description: "Case-insensitive search" },
      },
      required: ["pattern"],
      additionalProperties: false,
    },
  },
  glob: {
    name: "glob",
    description:
      "Lists the head commit's files whose paths match a glob pattern, e.g. \"**/*.py\", \"backend/**/migrations/*.py\", \"backend/{orgs,users}/views.py\". Paths are relative to the repository root (or to path when given), sorted, capped at 200.",
    input_schema: {
      type: "object",
      properties: {
        pattern: { type: "string", description: "The glob pattern to match paths against" },
        path: { type: "string", description: "Directory to search in, relative to the repository root (default: all)" },
      },
      required: ["pattern"],
      additionalProperties: false,
    },
  },
};

/** The tool definitions to send, in a fixed order so the request's cached prefix stays the same. */
export function toolDefinitions(names: readonly ToolName[]): Anthropic.Tool[] {
  return names.map((name) => DEFINITIONS[name]);
}

const inputs = {
  read_file: z.object({ path: z.string(), offset: z.number().int().min(1).optional(), limit: z.number().int().min(1).optional() }),
  grep: z.object({ pattern: z.string().min(1), path: z.string().optional(), glob: z.string().optional(), "-i": z.boolean().optional() }),
  glob: z.object({ pattern: z.string().min(1), path: z.string().optional() }),
};

/** One executed call: what goes back to the model, and the file read (for the stats). */
export interface ToolOutcome extends ReadResult {
  fileRead?: string | undefined;
}

/** Runs one tool call of the model against the snapshot. A name not in `allowed` is refused. */
export async function runTool(reader: SnapshotReader, allowed: readonly ToolName[], name: string, input: unknown): Promise<ToolOutcome> {
  if (!(allowed as readonly string[]).includes(name)) return { isError: true, text: `there is no tool named ${name.slice(0, 40)} here` };
  const tool = name as ToolName;
  const parsed = inputs[tool].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { isError: true, text: `invalid input for ${tool}: ${issue?.path.join(".") || "input"} ${issue?.message ?? ""}`.trim() };
  }
  switch (tool) {
    case "read_file": {
      const args = inputs.read_file.parse(input);
      const result = await reader.readFile(args.path, args.offset, args.limit);
      return { ...result, fileRead: result.isError ? undefined : args.path };
    }
    case "grep": {
      const args = inputs.grep.parse(input);
      return reader.grep(args.pattern, { path: args.path, glob: args.glob, ignoreCase: args["-i"] });
    }
    case "glob": {
      const args = inputs.glob.parse(input);
      return reader.glob(args.pattern, { path: args.path });
    }
  }
}

/** A tool result block: the text capped at `maxBytes` and framed as untrusted data. */
export function toolResultBlock(id: string, outcome: ReadResult, frame: DataFrame, maxBytes: number): Anthropic.ToolResultBlockParam {
  let text = outcome.text;
  // A cut inside a multi-byte character decodes to U+FFFD: harmless, and the cap is exact.
  if (Buffer.byteLength(text) > maxBytes) text = `${Buffer.from(text).subarray(0, maxBytes).toString("utf8")}\n[result cut at the ${maxBytes}-byte cap]`;
  return { type: "tool_result", tool_use_id: id, content: frame.block(TOOL_OUTPUT_BLOCK, text), ...(outcome.isError ? { is_error: true } : {}) };
}
