/**
 * Streams a commit's tarball (GitHub's `owner-repo-sha7/…` layout) into a
 * directory, keeping only what the model may read: regular text files under the
 * caps, redacted before they touch the disk. Nothing in the archive is trusted:
 * links, devices and FIFOs are never created, paths are rebuilt from checked
 * segments (no `..`, no absolute path, no `.git/`), modes are not applied, and
 * nothing is executed. The download stops as soon as the total cap is reached.
 */
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Parser, type ReadEntry } from "tar";
import { redactText } from "../diff/redact.js";
import { PathRefused, snapshotPath } from "./snapshot-path.js";
import type { SnapshotFile } from "./snapshot-reader.js";
import { decodeText, type SnapshotLimits } from "./text-file.js";

/** What an extraction kept. */
export interface Extraction {
  files: SnapshotFile[];
  /** Bytes of text written. */
  keptBytes: number;
  /** Set when the total cap stopped the download: the files after it are missing. */
  partial?: string | undefined;
}

const REGULAR = new Set(["File", "OldFile", "ContiguousFile"]);
const LINKS = new Set(["SymbolicLink", "Link"]);

/** The entry's path inside the repository: the archive's top-level folder dropped, then checked. */
function repoPath(entryPath: string): string | undefined {
  const cut = entryPath.indexOf("/");
  if (cut < 0) return undefined;
  try {
    const path = snapshotPath(entryPath.slice(cut + 1));
    return path === "" ? undefined : path;
  } catch (error) {
    if (error instanceof PathRefused) return undefined;
    throw error;
  }
}

/** Extracts `source` (gzip or plain tar bytes) into `dir`, which must exist and be empty. */
export async function extractTarball(
  source: AsyncIterable<Uint8Array>,
  dir: string,
  limits: SnapshotLimits,
): Promise<Extraction> {
  const files: SnapshotFile[] = [];
  const made = new Set<string>([""]);
  let keptBytes = 0;
  let partial: string | undefined;

  const keep = (path: string, size: number, bytes: Buffer): void => {
    const decoded = decodeText(bytes);
    if (decoded === undefined) return void files.push({ path, size, unreadable: "a binary file" });
    const text = redactText(decoded, { path }).text;
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (!made.has(parent)) {
      mkdirSync(join(dir, ...parent.split("/")), { recursive: true, mode: 0o700 });
      made.add(parent);
    }
    // A path the archive repeats is written again: the last one wins, as with `tar -x`.
    writeFileSync(join(dir, ...path.split("/")), text, { mode: 0o600 });
    keptBytes += Buffer.byteLength(text);
    files.push({ path, size });
  };

  const onEntry = (entry: ReadEntry): void => {
    const path = repoPath(entry.path);
    if (path === undefined || entry.type === "Directory" || partial) return void entry.resume();
    if (LINKS.has(entry.type)) {
      files.push({ path, size: 0, unreadable: "a link (links are not followed)" });
      return void entry.resume();
    }
    if (!REGULAR.has(entry.type)) return void entry.resume();
    if (entry.size > limits.maxFileBytes) {
      files.push({ path, size: entry.size, unreadable: `over the ${limits.maxFileBytes}-byte file cap` });
      return void entry.resume();
    }
    if (keptBytes + entry.size > limits.maxTotalBytes) {
      partial ??= `the repository's text is over the ${limits.maxTotalBytes}-byte snapshot cap; files after ${path} were not fetched`;
      return void entry.resume();
    }
    const chunks: Buffer[] = [];
    entry.on("data", (chunk: Buffer) => chunks.push(chunk));
    entry.on("end", () => keep(path, entry.size, Buffer.concat(chunks)));
  };

  const parser = new Parser({ strict: true, onReadEntry: onEntry });
  let failure: Error | undefined;
  parser.on("error", (error: Error) => (failure ??= error));
  const ended = once(parser, "end");
  ended.catch(() => undefined);
  for await (const chunk of source) {
    if (failure) throw failure;
    if (partial) break; // stop downloading: the rest would be thrown away
    if (!parser.write(Buffer.from(chunk))) await Promise.race([once(parser, "drain"), ended]);
  }
  if (failure) throw failure;
  if (!partial) {
    parser.end();
    await ended;
  }
  if (failure) throw failure;
  return { files, keptBytes, partial };
}
