/**
 * Which of the model's tools an agent gets, from its front matter's `tools:`, in
 * Claude Code's names and forms (`tools: Read, Grep, Glob` or a YAML list). Only
 * the read-only three map to anything here: `Bash`, `Edit`, `Write` and the rest
 * are never given, whatever the file says. No `tools:` line means all three, as in
 * Claude Code, where an agent without the key inherits every tool.
 */

/** The tools the engine offers the model. */
export const TOOL_NAMES = ["read_file", "grep", "glob"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const CLAUDE_CODE_NAMES: Record<string, ToolName> = { read: "read_file", grep: "grep", glob: "glob" };

/** The engine's tools named by an agent's `tools:` value (unknown names are ignored). */
export function toolsForAgent(tools: unknown): ToolName[] {
  if (tools === undefined || tools === null) return [...TOOL_NAMES];
  const names = typeof tools === "string" ? tools.split(",") : Array.isArray(tools) ? tools.filter((t): t is string => typeof t === "string") : [];
  const given = new Set<ToolName>();
  for (const name of names) {
    // `Read(backend/**)`-style permission rules name the tool before the parenthesis.
    const bare = name.trim().split("(")[0]?.trim().toLowerCase() ?? "";
    const tool = CLAUDE_CODE_NAMES[bare];
    if (tool) given.add(tool);
  }
  return TOOL_NAMES.filter((t) => given.has(t));
}
