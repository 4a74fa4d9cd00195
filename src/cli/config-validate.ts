/**
 * `backend-agent config validate [file]`: checks a `.github/backend-agent.yml` with
 * the App's own schema before it is committed, one line per problem with its key,
 * so a typo (`failon:`) is found at the desk, not on the next pull request.
 */
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import YAML from "yaml";
import { parseRepoConfig, REPO_CONFIG_PATH } from "../config/repo-config.js";
import { messageOf, UserFacingError } from "../errors.js";
import { repoRoot } from "./git.js";

/** What `config validate` prints (stdout) and its exit code: 0 valid, 1 invalid. */
export interface ConfigValidation {
  text: string;
  code: 0 | 1;
}

/** One line, whatever the message held. */
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * Validates settings text as the App reads it: YAML, then the schema. `name` labels
 * each line (`name: key: message`, or `name:line:col: …` for a YAML error).
 */
export function validateRepoConfigText(text: string, name: string): ConfigValidation {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const at = error.linePos?.[0];
      return `${name}${at ? `:${at.line}:${at.col}` : ""}: not valid YAML: ${oneLine((error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ""))}`;
    });
    return { text: `${lines.join("\n")}\n`, code: 1 };
  }
  let raw: unknown = doc.toJS();
  const notes: string[] = [];
  if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
    return { text: `${name}: (file): must be a mapping of settings (key: value), not ${Array.isArray(raw) ? "a list" : `a ${typeof raw}`}\n`, code: 1 };
  }
  if (typeof raw === "object" && raw !== null && "_extends" in raw) {
    // The App follows Probot's `_extends` to another repository; offline, only this file's own keys can be checked.
    notes.push(`${name}: note: _extends is followed by the App only; the inherited settings were not checked`);
    const { _extends: _dropped, ...own } = raw as Record<string, unknown>;
    raw = own;
  }
  const result = parseRepoConfig(raw);
  if ("problems" in result) {
    return { text: `${[...result.problems.map((p) => `${name}: ${p.key}: ${oneLine(p.message)}`), ...notes].join("\n")}\n`, code: 1 };
  }
  const keys = Object.keys(result.config);
  const set = keys.length ? `sets ${keys.join(", ")}` : "sets nothing: the defaults apply";
  return { text: `${[`ok: ${name} (${set})`, ...notes].join("\n")}\n`, code: 0 };
}

/**
 * Validates `file` (relative to `cwd`), or without it the repository's
 * `.github/backend-agent.yml` in the working tree. A file that cannot be read is a
 * {@link UserFacingError} (exit 2): there was nothing to validate.
 */
export async function validateRepoConfigFile(file: string | undefined, cwd: string): Promise<ConfigValidation> {
  let path = file;
  if (path === undefined) {
    const root = await repoRoot(cwd).catch(() => cwd);
    path = relative(cwd, join(root, REPO_CONFIG_PATH)) || REPO_CONFIG_PATH;
  }
  let text: string;
  try {
    text = await readFile(join(cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = file === undefined && code === "ENOENT" ? " (without the file the defaults apply; name another file to check it)" : "";
    throw new UserFacingError(`cannot read ${path}: ${code ?? messageOf(error)}${hint}`, undefined, { cause: error });
  }
  return validateRepoConfigText(text, path);
}
