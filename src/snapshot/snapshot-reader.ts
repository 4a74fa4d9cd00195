/**
 * The confined, read-only view of a commit that the model's tools use: one
 * interface, implemented over a directory of files (a cached tarball extraction or
 * the CLI's working tree). Every path is checked by {@link snapshotPath}, the real
 * path of every file must stay under the root (a symlink out is refused), binary
 * files are refused, every result is capped, and the text is redacted exactly as
 * the diff is (`redactText` with the file's path) before it can reach the model.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { redactText } from "../diff/redact.js";
import { messageOf } from "../errors.js";
import { compileGlob } from "./glob-pattern.js";
import { compileLinear, PatternError } from "./linear-regex.js";
import { isWithin, PathRefused, snapshotPath } from "./snapshot-path.js";
import { decodeText } from "./text-file.js";

/** One file of the commit. */
export interface SnapshotFile {
  path: string;
  size: number;
  /** Set when the file is listed but cannot be read: why (binary, over the size cap, not fetched). */
  unreadable?: string | undefined;
  /** Where its bytes are in a snapshot's pack file, when it has one. */
  offset?: number | undefined;
  length?: number | undefined;
}

/** A file's bytes, or why they cannot be read. */
export type LoadFile = (file: SnapshotFile) => Promise<Uint8Array | { error: string }>;

/** A tool's answer: text for the model, and whether it is a refusal or an error. */
export interface ReadResult {
  text: string;
  isError: boolean;
}

/** Options of {@link SnapshotReader.grep}. */
export interface GrepOptions {
  /** A file or directory to search (default: the whole snapshot). */
  path?: string | undefined;
  /** Only files matching this glob (`*.py`, `backend/**\/views.py`). */
  glob?: string | undefined;
  ignoreCase?: boolean | undefined;
}

/** The confined read interface the tools are built on. */
export interface SnapshotReader {
  /** What it is, for logs and the summary: `owner/repo@sha`, `working tree`. */
  readonly label: string;
  /** Why some files are missing, when the snapshot is partial. */
  readonly partial: string | undefined;
  /** Lines `offset` (1-based, default 1) to `offset + limit - 1`, numbered. */
  readFile(path: string, offset?: number, limit?: number): Promise<ReadResult>;
  /** Matching lines as `path:line:text`, ripgrep's format, capped. */
  grep(pattern: string, options?: GrepOptions): Promise<ReadResult>;
  /** Paths matching the glob, sorted, capped. */
  glob(pattern: string, options?: { path?: string | undefined }): Promise<ReadResult>;
}

/** Caps on one tool result. */
export interface ResultLimits {
  maxResultBytes: number;
  maxReadLines: number;
  maxLineChars: number;
  maxMatches: number;
  maxGlobResults: number;
  /** Largest file read (the working tree has no extraction cap). */
  maxFileBytes: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = {
  maxResultBytes: 24_000,
  maxReadLines: 2_000,
  maxLineChars: 2_000,
  maxMatches: 100,
  maxGlobResults: 200,
  maxFileBytes: 1_000_000,
};

const fail = (text: string): ReadResult => ({ text, isError: true });

/** Appends lines until the byte cap; says where it stopped. */
function capped(lines: string[], maxBytes: number, more: (shown: number) => string): string {
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    bytes += Buffer.byteLength(lines[i] as string) + 1;
    if (bytes > maxBytes) return `${lines.slice(0, i).join("\n")}\n${more(i)}`;
  }
  return lines.join("\n");
}

/**
 * Bytes of files under `root`, confined: the real path (links resolved) must stay
 * under the root's real path, and only regular files under the cap are read.
 */
export function directoryLoader(root: string, maxFileBytes: number = DEFAULT_RESULT_LIMITS.maxFileBytes): LoadFile {
  const realRoot = realpath(root);
  return async ({ path }) => {
    const base = await realRoot;
    const real = await realpath(join(base, ...path.split("/"))).catch(() => undefined);
    if (!real || !real.startsWith(base + sep)) return { error: `${path} is a link that leads outside the repository` };
    const info = await stat(real);
    if (!info.isFile()) return { error: `${path} is not a regular file` };
    if (info.size > maxFileBytes) return { error: `${path} is over the ${maxFileBytes}-byte read cap` };
    return readFile(real);
  };
}

/** A reader over listed files whose bytes come from `load` (a directory, a pack file). */
export function snapshotReader(options: {
  files: readonly SnapshotFile[];
  load: LoadFile;
  label: string;
  partial?: string | undefined;
  /** True when the stored bytes were redacted when they were written. */
  redacted: boolean;
  limits?: Partial<ResultLimits> | undefined;
}): SnapshotReader {
  const limits = { ...DEFAULT_RESULT_LIMITS, ...options.limits };
  const files = [...options.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const missingNote = options.partial ? ` (the snapshot is partial: ${options.partial})` : "";

  /** The redacted text of a listed file (`raw`: as on disk, for grep's first pass), or why it cannot be read. */
  async function text(path: string, raw = false): Promise<{ text: string } | { error: string }> {
    const file = byPath.get(path);
    if (!file) {
      const isDir = files.some((f) => isWithin(f.path, path));
      return { error: isDir ? `${path} is a directory: use glob to list it` : `${path} does not exist in ${options.label}${missingNote}` };
    }
    if (file.unreadable) return { error: `${path} cannot be read: ${file.unreadable}` };
    const bytes = await options.load(file);
    if ("error" in bytes) return bytes;
    const decoded = decodeText(bytes);
    if (decoded === undefined) return { error: `${path} is a binary file` };
    return { text: options.redacted || raw ? decoded : redactText(decoded, { path }).text };
  }

  function checked<T>(fn: () => Promise<T | ReadResult>): Promise<T | ReadResult> {
    return fn().catch((error: unknown) => {
      if (error instanceof PathRefused || error instanceof PatternError) return fail(error.message);
      return fail(`the read failed: ${messageOf(error)}`);
    });
  }

  const reader: SnapshotReader = {
    label: options.label,
    partial: options.partial,

    readFile: (raw, offset = 1, limit = limits.maxReadLines) =>
      checked(async () => {
        const path = snapshotPath(raw);
        const got = await text(path);
        if ("error" in got) return fail(got.error);
        const lines = got.text.split("\n");
        if (lines.at(-1) === "") lines.pop();
        if (lines.length === 0) return { text: `${path} is empty.`, isError: false };
        const start = Math.max(1, Math.floor(offset));
        if (start > lines.length) return fail(`${path} has ${lines.length} lines; offset ${start} is past its end`);
        const count = Math.min(Math.max(1, Math.floor(limit)), limits.maxReadLines);
        const shown = lines.slice(start - 1, start - 1 + count).map((line, i) => {
          const cut = line.length > limits.maxLineChars ? `${line.slice(0, limits.maxLineChars)}… <line cut>` : line;
          return `${String(start + i).padStart(6)}\t${cut}`;
        });
        const end = start + shown.length - 1;
        const tail = end < lines.length ? `\n[lines ${start}-${end} of ${lines.length}; read on with offset=${end + 1}]` : "";
        return { text: capped(shown, limits.maxResultBytes, (n) => `[cut at ${limits.maxResultBytes} bytes; read on with offset=${start + n}]`) + tail, isError: false };
      }),

    grep: (pattern, grepOptions = {}) =>
      checked(async () => {
        const regex = compileLinear(pattern, { ignoreCase: grepOptions.ignoreCase });
        const under = snapshotPath(grepOptions.path ?? "");
        const only = grepOptions.glob ? compileGlob(grepOptions.glob, { basename: true }) : undefined;
        const out: string[] = [];
        let bytes = 0;
        let full = false;
        for (const file of files) {
          if (full) break;
          if (file.unreadable || !isWithin(file.path, under) || (only && !only.matches(file.path))) continue;
          const got = await text(file.path, true);
          if ("error" in got) continue;
          let lines = got.text.split("\n");
          // Redacting is the costly part: only a file with a match on its raw text is redacted, then
          // matched again, so a pattern that matched a secret's characters finds nothing.
          if (!options.redacted && lines.some((line) => regex.test(line))) lines = redactText(got.text, { path: file.path }).text.split("\n");
          else if (!options.redacted) continue;
          for (let i = 0; i < lines.length && !full; i++) {
            const line = lines[i] as string;
            if (!regex.test(line)) continue;
            const shown = `${file.path}:${i + 1}:${line.length > limits.maxLineChars ? `${line.slice(0, limits.maxLineChars)}… <line cut>` : line}`;
            bytes += Buffer.byteLength(shown) + 1;
            full = out.length >= limits.maxMatches || bytes > limits.maxResultBytes;
            if (!full) out.push(shown);
          }
        }
        if (out.length === 0) return { text: `No matches${under ? ` under ${under}` : ""}.${missingNote}`, isError: false };
        return { text: out.join("\n") + (full ? `\n[results cut at ${out.length} lines: narrow the pattern, path or glob]` : ""), isError: false };
      }),

    glob: (pattern, globOptions = {}) =>
      checked(async () => {
        const under = snapshotPath(globOptions.path ?? "");
        const glob = compileGlob(pattern);
        const prefix = under ? `${under}/` : "";
        const found = files.filter((f) => isWithin(f.path, under) && glob.matches(f.path.slice(prefix.length))).map((f) => f.path);
        if (found.length === 0) return { text: `No files match.${missingNote}`, isError: false };
        const shown = found.slice(0, limits.maxGlobResults);
        const more = found.length > shown.length ? `\n[${found.length - shown.length} more not shown: narrow the pattern]` : "";
        return { text: capped(shown, limits.maxResultBytes, (n) => `[cut at ${n} paths]`) + more, isError: false };
      }),
  };
  return reader;
}
