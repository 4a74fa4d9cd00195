/**
 * Snapshots of head commits, cached under `DATA_DIR/snapshots/<owner>/<repo>/<sha>`
 * so that the chunks of a review, later commands (`ask`) and the process after a
 * restart share one download per commit. A snapshot (a pack file and its index) is written into a private
 * temporary directory and renamed into place with its manifest already inside, so a
 * half-extracted directory is never read; concurrent requests for one commit in
 * this process share one download, and a second process that loses the rename race
 * drops its copy. The least recently used snapshots are evicted past a total size.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { extractTarball } from "./extract-tarball.js";
import type { CommitRef, SnapshotSource } from "./github-source.js";
import { snapshotReader, type LoadFile, type ResultLimits, type SnapshotFile, type SnapshotReader } from "./snapshot-reader.js";
import { DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from "./text-file.js";

/** The finished-marker and index: written before the directory is renamed into place. */
const MANIFEST = "manifest.json";
/** The files' bytes, one after the other (see `extractTarball`). */
const PACK = "files.pack";
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SHA = /^[0-9a-f]{40}$/;

interface Manifest {
  files: SnapshotFile[];
  /** Whether the files on disk are already redacted. */
  redacted?: boolean | undefined;
  bytes: number;
  partial?: string | undefined;
}

/** Reads a file's bytes from the pack at the offset its index gives. */
function packLoader(pack: string): LoadFile {
  return async (file) => {
    if (file.offset === undefined || file.length === undefined) return { error: `${file.path} is not in the snapshot` };
    const handle = await open(pack, "r");
    try {
      const bytes = Buffer.alloc(file.length);
      const { bytesRead } = await handle.read(bytes, 0, file.length, file.offset);
      return bytesRead === file.length ? bytes : { error: `${file.path}: the snapshot's cache is damaged` };
    } finally {
      await handle.close();
    }
  };
}

/** Options of {@link SnapshotCache}. */
export interface SnapshotCacheOptions {
  /** `DATA_DIR/snapshots`. */
  dir: string;
  /** Evict least recently used snapshots past this many bytes of text (default 1 GB). */
  maxBytes?: number | undefined;
  limits?: SnapshotLimits | undefined;
  resultLimits?: Partial<ResultLimits> | undefined;
}

function checkRef(ref: CommitRef): void {
  if (!NAME.test(ref.owner) || !NAME.test(ref.repo) || ref.owner.startsWith(".") || ref.repo.startsWith(".")) {
    throw new Error(`snapshot: not a repository name: ${ref.owner}/${ref.repo}`);
  }
  if (!SHA.test(ref.sha)) throw new Error("snapshot: a full 40-hex commit SHA is required");
}

/** The cache of one process; one instance per `DATA_DIR`. */
/** What a review needs of the cache: a commit's reader (the cache itself, or a front that has the main thread fetch first). */
export type SnapshotOpener = Pick<SnapshotCache, "open">;

export class SnapshotCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #limits: SnapshotLimits;
  readonly #resultLimits: Partial<ResultLimits> | undefined;
  readonly #inFlight = new Map<string, Promise<SnapshotReader>>();
  /** Downloads made by this instance (tarballs and trees), for tests and metrics. */
  fetches = 0;

  constructor(options: SnapshotCacheOptions) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes ?? 1_000_000_000;
    this.#limits = options.limits ?? DEFAULT_SNAPSHOT_LIMITS;
    this.#resultLimits = options.resultLimits;
  }

  /** Where tarballs are downloaded for another thread to extract (swept with the cache's temporary folders). */
  get downloadDir(): string {
    return join(this.#dir, ".tmp");
  }

  /** The commit's snapshot: from the cache, or fetched once through `source`. */
  open(ref: CommitRef, source: SnapshotSource): Promise<SnapshotReader> {
    checkRef(ref);
    const key = `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}/${ref.sha}`;
    const running = this.#inFlight.get(key);
    if (running) return running;
    const opening = this.#open(key, ref, source).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, opening);
    return opening;
  }

  async #open(key: string, ref: CommitRef, source: SnapshotSource): Promise<SnapshotReader> {
    const final = join(this.#dir, ...key.split("/"));
    const cached = await this.#read(final);
    if (cached) return this.#reader(final, ref, cached);
    const manifest = await this.#fetch(final, source);
    await this.#evict(final).catch(() => undefined);
    return this.#reader(final, ref, manifest);
  }

  #reader(root: string, ref: CommitRef, manifest: Manifest): SnapshotReader {
    return snapshotReader({
      files: manifest.files,
      load: packLoader(join(root, PACK)),
      label: `${ref.owner}/${ref.repo}@${ref.sha.slice(0, 12)}`,
      partial: manifest.partial,
      redacted: manifest.redacted === true,
      limits: this.#resultLimits,
    });
  }

  /** A finished snapshot's manifest (its use recorded for the LRU), or undefined. */
  async #read(root: string): Promise<Manifest | undefined> {
    const file = join(root, MANIFEST);
    try {
      const manifest = JSON.parse(await readFile(file, "utf8")) as Manifest;
      const now = new Date();
      await utimes(file, now, now);
      return manifest;
    } catch {
      return undefined;
    }
  }

  async #fetch(final: string, source: SnapshotSource): Promise<Manifest> {
    const tmp = join(this.#dir, ".tmp", `${Date.now()}-${randomBytes(6).toString("hex")}`);
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    try {
      this.fetches++;
      const extraction = await extractTarball(await source.tarball(), join(tmp, PACK), this.#limits);
      const manifest: Manifest = { files: extraction.files, bytes: extraction.keptBytes, partial: extraction.partial, redacted: this.#limits.redactOnWrite === true };
      if (extraction.partial) await this.#listRest(manifest, source);
      await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest), { mode: 0o600 });
      await mkdir(join(final, ".."), { recursive: true, mode: 0o700 });
      await rename(tmp, final).catch(async (error: NodeJS.ErrnoException) => {
        // Another process finished the same commit first: its copy is as good as ours.
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
        await rm(tmp, { recursive: true, force: true });
      });
      return (await this.#read(final)) ?? manifest;
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Over the cap: the tree lists every path, so the model learns what exists even when it cannot read it. */
  async #listRest(manifest: Manifest, source: SnapshotSource): Promise<void> {
    this.fetches++;
    const tree = await source.tree();
    const seen = new Set(manifest.files.map((f) => f.path));
    for (const file of tree.files) {
      if (seen.has(file.path)) continue;
      manifest.files.push({ path: file.path, size: file.size, unreadable: file.link ? "a link (links are not followed)" : "not in the snapshot (the repository is over its size cap)" });
    }
    if (tree.truncated) manifest.partial += "; the tree listing was truncated by GitHub too";
  }

  /** Deletes least recently used snapshots until the total is under the cap; `keep` is never deleted. */
  async #evict(keep: string): Promise<void> {
    const entries: { root: string; bytes: number; used: number }[] = [];
    for (const owner of await readdir(this.#dir).catch(() => [])) {
      if (owner === ".tmp") continue;
      for (const repo of await readdir(join(this.#dir, owner)).catch(() => [])) {
        for (const sha of await readdir(join(this.#dir, owner, repo)).catch(() => [])) {
          const root = join(this.#dir, owner, repo, sha);
          const info = await stat(join(root, MANIFEST)).catch(() => undefined);
          if (!info) continue;
          const manifest = JSON.parse(await readFile(join(root, MANIFEST), "utf8")) as Manifest;
          entries.push({ root, bytes: manifest.bytes, used: info.mtimeMs });
        }
      }
    }
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    for (const entry of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.#maxBytes) break;
      if (entry.root === keep) continue;
      await rm(entry.root, { recursive: true, force: true });
      total -= entry.bytes;
    }
  }

  /** Removes temporary directories and downloads older than an hour: a crash mid-extraction (or a thread that died before reading its download) leaves one behind. */
  async sweep(): Promise<void> {
    const tmp = join(this.#dir, ".tmp");
    for (const name of await readdir(tmp).catch(() => [])) {
      const started = Number(name.split("-")[0]);
      if (Number.isFinite(started) && Date.now() - started > 3_600_000) await rm(join(tmp, name), { recursive: true, force: true });
    }
  }
}

/** The process's cache of head-commit snapshots under DATA_DIR, sized by SNAPSHOT_CACHE_MB. */
export function snapshotCacheFor(env: { DATA_DIR: string; SNAPSHOT_CACHE_MB: number }): SnapshotCache {
  return new SnapshotCache({ dir: join(env.DATA_DIR, "snapshots"), maxBytes: env.SNAPSHOT_CACHE_MB * 1_000_000 });
}
