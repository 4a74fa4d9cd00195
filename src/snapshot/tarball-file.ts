/**
 * A commit's tarball handed from the thread that may talk to GitHub (the webhook
 * thread, which holds the installation token) to the thread that extracts it: the
 * first only streams the bytes into a private file under DATA_DIR, bounded in size;
 * the second reads that file into `extractTarball` and deletes it. Extraction (gunzip,
 * tar parsing, UTF-8 checks, redaction) is CPU work that must not share the webhook
 * thread's event loop, and a stream cannot cross threads; a path can.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SnapshotSource } from "./github-source.js";

/** The largest tarball downloaded (compressed bytes): far over the 300 MB text cap's usual archive. */
export const MAX_TARBALL_BYTES = 1_000_000_000;

/** A downloaded tarball: the file, and its size. */
export interface TarballFile {
  path: string;
  bytes: number;
}

/**
 * Streams `source`'s tarball into a new file (0600) in `dir` (the snapshot cache's
 * temporary folder, which its sweep clears after a crash). Only bytes are moved: nothing
 * is parsed here. Over `maxBytes` the download stops and the file is removed.
 */
export async function downloadTarball(source: Pick<SnapshotSource, "tarball">, dir: string, maxBytes = MAX_TARBALL_BYTES): Promise<TarballFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The sweep reads the time from the name's first part.
  const path = join(dir, `${Date.now()}-${randomBytes(6).toString("hex")}.tar.gz`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? new Error(`the tarball is over the ${maxBytes}-byte download cap`) : null, chunk);
    },
  });
  try {
    await pipeline(await source.tarball(), count, createWriteStream(path, { mode: 0o600, flags: "wx" }));
    return { path, bytes };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** The file's bytes as a tarball source's stream; the file is deleted once read (or abandoned, on an early stop). */
export async function* readTarballFile(path: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(path) as AsyncIterable<Buffer>;
  } finally {
    await rm(path, { force: true });
  }
}
