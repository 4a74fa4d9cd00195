/**
 * Globs from the model (`**\/*.py`, `backend/{users,orgs}/*.py`), compiled to the
 * linear matcher: a glob library's backtracking regex can take polynomial time on a
 * pattern with many stars, and the model's pattern is untrusted input.
 */
import { compileLinear, PatternError, type LinearRegex } from "./linear-regex.js";

const MAX_GLOB = 500;
const SPECIAL = new Set([..."\\^$.|?*+()[]{}"]);

function literal(ch: string): string {
  return SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/** The regex source of a glob: `**\/` any directories, `*` and `?` within one segment, `[..]`, `{a,b}`. */
function globSource(glob: string): string {
  let out = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      out += slash ? "(?:[^\\n]*/)?" : "[^\\n]*";
      i += slash ? 2 : 1;
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) throw new PatternError("unclosed [ in the glob");
      const body = glob.slice(i + 1, close).replace(/^!/, "^").split("\\").join("\\\\");
      out += `[${body}]`;
      i = close;
    } else if (ch === "{") {
      braces++;
      out += "(?:";
    } else if (ch === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (ch === "," && braces > 0) out += "|";
    else if (ch === "\\" && i + 1 < glob.length) out += literal(glob[++i] as string);
    else out += literal(ch);
  }
  if (braces > 0) throw new PatternError("unclosed { in the glob");
  return `^${out}$`;
}

/** A compiled glob over `/`-separated relative paths. */
export interface PathGlob {
  matches(path: string): boolean;
}

/**
 * Compiles a glob. `basename: true` is ripgrep's `--glob` reading: a glob without
 * a `/` matches a file's name at any depth (`*.py`); with one, the whole path.
 */
export function compileGlob(glob: string, options: { basename?: boolean } = {}): PathGlob {
  if (glob.length > MAX_GLOB) throw new PatternError(`a glob longer than ${MAX_GLOB} characters`);
  const trimmed = glob.startsWith("./") ? glob.slice(2) : glob;
  const regex: LinearRegex = compileLinear(globSource(trimmed));
  if (options.basename && !trimmed.includes("/")) {
    return { matches: (path) => regex.test(path.slice(path.lastIndexOf("/") + 1)) };
  }
  return { matches: (path) => regex.test(path) };
}
