/**
 * GitHub's commit-content endpoints on loopback HTTP, for the real Octokit:
 * `GET /repos/{o}/{r}/tarball/{sha}` answers 302 to a codeload-style URL (as
 * GitHub does), which streams a gzip tar whose entries sit under `o-r-sha7/`;
 * `GET /repos/{o}/{r}/git/trees/{sha}?recursive=1` lists the tree. Entries are
 * written with tar's own header encoder, so hostile ones (`../` paths, symlinks out,
 * devices) can be served as an attacker would craft them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { Header, type HeaderData } from "tar";

/** One archive entry; `path` is inside the repository unless `raw` is set. */
export interface TarEntry {
  path: string;
  content?: string | Buffer;
  type?: HeaderData["type"];
  linkpath?: string;
  /** Write `path` as the entry's whole name (no `owner-repo-sha7/` folder). */
  raw?: boolean;
}

/** A gzip tarball of `entries` in GitHub's layout. */
export function buildTarball(prefix: string, entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? "");
    const header = new Header({
      path: entry.raw ? entry.path : `${prefix}/${entry.path}`,
      type: entry.type ?? "File",
      size: entry.type === undefined || entry.type === "File" ? body.length : 0,
      mode: 0o644,
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (header.size) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 1 });
}

/** A repository served at one commit. */
export interface FakeCommit {
  owner: string;
  repo: string;
  sha: string;
  entries: TarEntry[];
}

/** The fake server; `calls` counts requests per kind. */
export class FakeTarballServer {
  calls = { tarball: 0, codeload: 0, tree: 0 };
  readonly #commits = new Map<string, { tarball: Buffer; commit: FakeCommit }>();
  readonly #server: Server;
  #url = "";

  private constructor() {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://fake");
      const tarball = /^\/repos\/([^/]+)\/([^/]+)\/tarball\/([0-9a-f]{40})$/.exec(url.pathname);
      const codeload = /^\/codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(url.pathname);
      const tree = /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/([0-9a-f]{40})$/.exec(url.pathname);
      const found = (m: RegExpExecArray) => this.#commits.get(`${m[1]}/${m[2]}/${m[3]}`);
      if (tarball && found(tarball)) {
        this.calls.tarball++;
        res.writeHead(302, { location: `${this.#url}/codeload/${tarball[1]}/${tarball[2]}/legacy.tar.gz/${tarball[3]}` });
        return res.end();
      }
      if (codeload && found(codeload)) {
        this.calls.codeload++;
        const body = found(codeload)?.tarball ?? Buffer.alloc(0);
        res.writeHead(200, { "content-type": "application/x-gzip" });
        // In 64 KB pieces, as a network would deliver it.
        for (let i = 0; i < body.length; i += 65_536) res.write(body.subarray(i, i + 65_536));
        return res.end();
      }
      if (tree && found(tree)) {
        this.calls.tree++;
        const commit = found(tree)?.commit as FakeCommit;
        const files = commit.entries.filter((e) => !e.raw).map((e) => ({
          path: e.path,
          mode: e.type === "SymbolicLink" ? "120000" : "100644",
          type: "blob",
          size: Buffer.byteLength(e.content ?? ""),
        }));
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ sha: tree[3], tree: files, truncated: false }));
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
  }

  get url(): string {
    return this.#url;
  }

  static async start(): Promise<FakeTarballServer> {
    const fake = new FakeTarballServer();
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The codeload URL of a commit served here, or undefined. */
  codeloadUrl(owner: string, repo: string, sha: string): string | undefined {
    return this.#commits.has(`${owner}/${repo}/${sha}`) ? `${this.#url}/codeload/${owner}/${repo}/legacy.tar.gz/${sha}` : undefined;
  }

  /** Serves `commit` from now on. */
  add(commit: FakeCommit): void {
    const tarball = buildTarball(`${commit.owner}-${commit.repo}-${commit.sha.slice(0, 7)}`, commit.entries);
    this.#commits.set(`${commit.owner}/${commit.repo}/${commit.sha}`, { tarball, commit });
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
