/**
 * Tool overhead: fetching and extracting a 20,000-file repository's snapshot (the
 * tarball through the real Octokit from a loopback fake that redirects like GitHub),
 * in a fresh process, cold then warm (the cache after a restart), side by side with
 * plain `tar -xzf` of the same bytes. Targets: under 5 s and 300 MB RSS.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTarball, FakeTarballServer, type TarEntry } from "../test/support/fake-tarball.js";

const FILES = 20_000;
const ref = { owner: "zipstack", repo: "unstract", sha: "e".repeat(40) };

/** Deterministic Django-like modules, 1-12 KB; 1% binary, 0.1% over the 1 MB file cap. */
function syntheticRepo(): TarEntry[] {
  const entries: TarEntry[] = [];
  for (let i = 0; i < FILES; i++) {
    const dir = `backend/app${i % 150}/${["views", "models", "serializers", "tasks", "tests"][i % 5]}`;
    if (i % 100 === 7) {
      entries.push({ path: `${dir}/asset${i}.png`, content: Buffer.alloc(20_000, i % 251) });
      continue;
    }
    if (i % 1000 === 11) {
      entries.push({ path: `${dir}/fixture${i}.json`, content: "[" + "{\"k\": 1},".repeat(120_000) + "{}]" });
      continue;
    }
    const body: string[] = [`from django.db import models\nfrom rest_framework.permissions import BasePermission\n`];
    const classes = 2 + (i % 20);
    for (let c = 0; c < classes; c++) {
      body.push(`class Model${i}x${c}${c === 0 && i % 50 === 0 ? "Permission(BasePermission)" : "(models.Model)"}:\n    name = models.CharField(max_length=${c + 10})\n    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE)\n\n    def __str__(self):\n        return f"{self.name} {self.pk} ${i}"\n`);
    }
    entries.push({ path: `${dir}/m${i}.py`, content: body.join("\n") });
  }
  return entries;
}

/** Async: the fake server runs in this process and must keep answering. */
async function run(cmd: string, args: string[]): Promise<string> {
  return (await promisify(execFile)(cmd, args, { encoding: "utf8", maxBuffer: 1e7 })).stdout;
}

/** Seconds and peak RSS (MB) of `tar -xzf file -C dir`, by GNU time. */
function plainTar(file: string, dir: string): [number, number] {
  const report = execFileSync("sh", ["-c", `/usr/bin/time -f "%e %M" tar -xzf "$0" -C "$1" 2>&1 1>/dev/null`, file, dir], { encoding: "utf8" });
  const [seconds, kb] = (report.trim().split("\n").pop() ?? "0 0").split(" ").map(Number) as [number, number];
  return [seconds, kb / 1e3];
}

export async function benchSnapshotFetch(): Promise<void> {
  const entries = syntheticRepo();
  const started = performance.now();
  const fake = await FakeTarballServer.start();
  fake.add({ ...ref, entries });
  const buildMs = performance.now() - started;
  const work = mkdtempSync(join(tmpdir(), "bench-snap-"));
  try {
    const tarball = buildTarball(`${ref.owner}-${ref.repo}-${ref.sha.slice(0, 7)}`, entries);
    const raw = entries.reduce((n, e) => n + Buffer.byteLength(e.content ?? ""), 0);
    console.log(`snapshot-fetch: ${FILES} files, ${(raw / 1e6).toFixed(1)} MB raw, ${(tarball.length / 1e6).toFixed(1)} MB gzip tarball (built in ${Math.round(buildMs)} ms)`);
    const child = async (dir: string) => JSON.parse((await run("node", ["--import", "tsx", "bench/snapshot-fetch-child.ts", fake.url, dir, ref.owner, ref.repo, ref.sha])).trim()) as Record<string, number>;
    const cacheDir = join(work, "cache");
    const cold = await child(cacheDir);
    const warm = await child(cacheDir);
    // Reference: plain tar of the same bytes, from a file (no HTTP, no checks, no redaction).
    const file = join(work, "repo.tar.gz");
    writeFileSync(file, tarball);
    mkdirSync(join(work, "tar"));
    const [tarSeconds, tarMb] = plainTar(file, join(work, "tar"));
    console.log("| run | time | peak RSS | notes |\n|---|---|---|---|");
    console.log(`| snapshot, cold (fetch + extract into the pack) | ${cold.ms} ms | ${cold.openPeakMb} MB (node+tsx alone: ${cold.baseRssMb} MB; ${cold.peakRssMb} MB after a grep of every .py) | ${cold.files} paths listed, ${cold.fetches} download(s); the grep: ${cold.grepMs} ms |`);
    console.log(`| snapshot, warm (new process, cache hit) | ${warm.ms} ms | ${warm.openPeakMb} MB | ${warm.fetches} download(s) |`);
    console.log(`| reference: tar -xzf of the same file | ${Math.round(tarSeconds * 1000)} ms | ${Math.round(tarMb)} MB | no HTTP, no filtering, no redaction |`);
    console.log(`GitHub requests: tarball ${fake.calls.tarball}, codeload ${fake.calls.codeload}, tree ${fake.calls.tree}; targets: < 5000 ms, < 300 MB`);
  } finally {
    await fake.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSnapshotFetch();
