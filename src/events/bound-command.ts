import type { SlashCommand } from "../commands/parse-command.js";

/**
 * What a queued command keeps of a comment. The queue's store holds jobs on disk (or in
 * Redis) until they run, so it gets no more of a user's text than the command uses:
 * a reply quotes at most 600 characters of the request; an answer needs the question
 * and the end of the thread's hunk (the commented line is its last).
 */
export const COMMAND_TEXT_LIMITS = { request: 1_000, question: 4_000, word: 100, diffHunk: 6_000 } as const;

const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** The command with its texts cut to {@link COMMAND_TEXT_LIMITS}. */
export function boundCommand(command: SlashCommand): SlashCommand {
  const request = cut(command.request, COMMAND_TEXT_LIMITS.request);
  if (command.name === "ask") return { ...command, request, question: cut(command.question, COMMAND_TEXT_LIMITS.question) };
  if (command.name === "unknown") return { ...command, request, word: cut(command.word, COMMAND_TEXT_LIMITS.word) };
  return { ...command, request };
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/u;

/**
 * The last lines of a `diff_hunk` that fit in `max` characters, under a header whose
 * start lines are moved past the lines dropped, so the kept lines keep their numbers.
 * A hunk without a header, or whose last line alone is too long, becomes "" (no context).
 */
export function boundDiffHunk(hunk: string, max: number = COMMAND_TEXT_LIMITS.diffHunk): string {
  if (hunk.length <= max) return hunk;
  const lines = hunk.split("\n");
  const header = HUNK_HEADER.exec(lines[0] ?? "");
  if (!header) return "";
  let size = 0;
  let first = lines.length;
  // Room for the rewritten header, which is at most a few characters longer than the old.
  const room = max - lines[0]!.length - 24;
  while (first > 1 && size + lines[first - 1]!.length + 1 <= room) size += lines[--first]!.length + 1;
  if (first === lines.length) return "";
  let oldStart = Number(header[1]);
  let newStart = Number(header[3]);
  for (const line of lines.slice(1, first)) {
    if (line.startsWith("-")) oldStart++;
    else if (line.startsWith("+")) newStart++;
    else if (!line.startsWith("\\")) {
      oldStart++;
      newStart++;
    }
  }
  const kept = lines.slice(first);
  const oldCount = kept.filter((l) => !l.startsWith("+") && !l.startsWith("\\")).length;
  const newCount = kept.filter((l) => !l.startsWith("-") && !l.startsWith("\\")).length;
  return [`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${cut(header[5] ?? "", 20)}`, ...kept].join("\n");
}
