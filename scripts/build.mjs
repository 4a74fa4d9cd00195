/**
 * Builds dist/ with tsc (incremental: dist/.tsbuildinfo). With `--if-stale` (prestart,
 * preworker, prebench) it skips tsc when dist/ was built from exactly the current
 * inputs, so a second `npm start` listens in about a second instead of a full compile.
 *
 * "The current inputs" is a hash of the contents (not the mtimes) of src/, the
 * tsconfig files, package.json (its "type" decides the module format),
 * package-lock.json and the TypeScript version: a `git pull`, a
 * checkout, an edit or an `npm ci` that installs other types all change it, while a
 * copy that resets mtimes does not force a build. The stamp is written only after tsc
 * succeeded, with the hash taken before it ran: a file edited during the build
 * rebuilds next time. A stale dist never runs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new globalThis.URL("..", import.meta.url));
const stampPath = join(root, "dist", ".build-stamp");
const require = createRequire(import.meta.url);

/** Every file under `dir`, sorted, as paths relative to the project root. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function inputHash() {
  const hash = createHash("sha256");
  hash.update(`typescript ${require("typescript/package.json").version}\n`);
  const inputs = [...filesUnder(join(root, "src")), ...["tsconfig.json", "tsconfig.build.json", "package.json", "package-lock.json"].map((name) => join(root, name))];
  for (const path of inputs) {
    // The path counts too: a renamed or deleted file changes the hash.
    hash.update(`${relative(root, path)}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : "(missing)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

const hash = inputHash();
const stamp = existsSync(stampPath) ? readFileSync(stampPath, "utf8").trim() : "";
const built = existsSync(join(root, "dist", "main.js")) && existsSync(join(root, "dist", "cli", "main.js"));
if (process.argv.includes("--if-stale") && built && stamp === hash) process.exit(0);

// tsc --incremental trusts its .tsbuildinfo and does not re-emit outputs deleted since: start over then.
if (!built) rmSync(join(root, "dist", ".tsbuildinfo"), { force: true });
rmSync(stampPath, { force: true });
if (process.argv.includes("--if-stale")) console.log("backend-agent: compiling TypeScript (the sources changed since the last build) …");
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
writeFileSync(stampPath, `${hash}\n`);
