import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/jobs/sqlite-store.js";

it("names DATA_DIR when the store cannot be created there", () => {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-datadir-"));
  try {
    // A file where the directory should be: what a typo in DATA_DIR (or a read-only mount) gives.
    writeFileSync(join(dir, "taken"), "");
    expect(() => openStore(join(dir, "taken", "data"))).toThrow(/^DATA_DIR: cannot create the job store in .*taken\/data \(ENOTDIR\): set DATA_DIR to a directory this process can write$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
