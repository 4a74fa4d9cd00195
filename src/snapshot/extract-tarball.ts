/**
 * Streams a commit's tarball (GitHub's `owner-repo-sha7/…` layout) into one pack
 * file, keeping only what the model may read: regular text files under the caps.
 * Nothing in the archive is trusted or recreated: no file, link, device or
 * directory of the archive is made on disk (only the pack, whose index holds the
 * checked paths: no `..`, no absolute path, no `.git/`), no mode is applied, and
 * nothing is executed. One file instead of 20,000: creating a file costs ~0.5 ms of
 * disk latency here, 10 s for a large repository. The download stops as soon as
 * the total cap is reached.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
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

/** Extracts `source` (gzip or plain tar bytes) into the pack file `pack` (created, 0600). */
export async function extractTarball(
  source: AsyncIterable<Uint8Array>,
  pack: string,
  limits: SnapshotLimits,
): Promise<Extraction> {
  // By path: a path the archive repeats is indexed again, and the last one wins, as with `tar -x`.
  const files = new Map<string, SnapshotFile>();
  const list = (file: SnapshotFile): void => void files.set(file.path, file);
  let keptBytes = 0;
  let partial: string | undefined;
  let failure: Error | undefined;
  const out = createWriteStream(pack, { mode: 0o600, flags: "wx" });
  out.on("error", (error) => (failure ??= error));

  const keep = (path: string, size: number, bytes: Buffer): void => {
    const decoded = decodeText(bytes);
    if (decoded === undefined) return void list({ path, size, unreadable: "a binary file" });
    const stored = limits.redactOnWrite ? Buffer.from(redactText(decoded, { path }).text) : bytes;
    out.write(stored);
    list({ path, size, offset: keptBytes, length: stored.length });
    keptBytes += stored.length;
  };

  const onEntry = (entry: ReadEntry): void => {
    const path = repoPath(entry.path);
    if (path === undefined || entry.type === "Directory" || partial) return void entry.resume();
    if (LINKS.has(entry.type)) {
      list({ path, size: 0, unreadable: "a link (links are not followed)" });
      return void entry.resume();
    }
    if (!REGULAR.has(entry.type)) return void entry.resume();
    if (entry.size > limits.maxFileBytes) {
      list({ path, size: entry.size, unreadable: `over the ${limits.maxFileBytes}-byte file cap` });
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
  parser.on("error", (error: Error) => (failure ??= error));
  const ended = once(parser, "end");
  ended.catch(() => undefined);
  for await (const chunk of source) {
    if (failure) throw failure;
    if (partial) break; // stop downloading: the rest would be thrown away
    if (!parser.write(Buffer.from(chunk))) await Promise.race([once(parser, "drain"), ended]);
    if (out.writableNeedDrain) await Promise.race([once(out, "drain"), finished(out)]);
  }
  if (failure) throw failure;
  if (!partial) {
    parser.end();
    await ended;
  }
  out.end();
  await finished(out);
  if (failure) throw failure;
  return { files: [...files.values()], keptBytes, partial };
}
