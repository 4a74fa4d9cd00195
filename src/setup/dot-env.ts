/**
 * .env writes that keep the file appendable. Probot's setup flow writes .env without a
 * final newline, so `echo ANTHROPIC_API_KEY=… >> .env` glued the key onto the last
 * value (`WEBHOOK_SECRET="…ANTHROPIC_API_KEY=…"`) and the key was silently lost.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";

/**
 * Appends the missing final newline of the file at `path`, if it exists and is not
 * empty; no value changes. Returns whether it changed the file.
 */
export function ensureTrailingNewline(path: string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, "utf8");
  if (text === "" || text.endsWith("\n")) return false;
  appendFileSync(path, "\n");
  return true;
}

/**
 * Sets `values` in the .env file at `path` (Probot's `updateEnv` contract, used by its
 * setup flow): a single-line `KEY=…` already there is replaced in place, any other key
 * is appended; every other line stays as it was, and the file ends with a newline.
 * Newlines in values are written as `\n` (values Probot quotes, like PRIVATE_KEY,
 * come already in quotes). Also sets them in process.env, as Probot's does.
 */
export function updateDotEnv(values: Record<string, string>, path = ".env"): Record<string, string> {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}=${value.replace(/\r?\n/g, "\\n")}`;
    // A quoted value may span lines: only a plain one-line assignment is replaced; otherwise the new line goes last (last one wins).
    const at = lines.findIndex((existing) => existing.startsWith(`${key}=`) && !/^["'`]/.test(existing.slice(key.length + 1)));
    if (at >= 0) lines[at] = line;
    else lines.push(line);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  Object.assign(process.env, values);
  return values;
}
