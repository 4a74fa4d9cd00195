/**
 * scripts/build.mjs (prestart): a second `npm start` skips tsc, and a dist built from
 * other sources is never run — in a small project beside the real one.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "build-script-"));
  mkdirSync(join(dir, "scripts"));
  mkdirSync(join(dir, "src", "cli"), { recursive: true });
  copyFileSync(join(ROOT, "scripts", "build.mjs"), join(dir, "scripts", "build.mjs"));
  for (const name of ["tsconfig.json", "tsconfig.build.json", "package-lock.json"]) copyFileSync(join(ROOT, name), join(dir, name));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "src", "main.ts"), 'export const version: string = "one";\n');
  writeFileSync(join(dir, "src", "cli", "main.ts"), "export const cli = 1;\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(...args: string[]): string {
  const result = spawnSync(process.execPath, [join(dir, "scripts", "build.mjs"), ...args], { encoding: "utf8" });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  return result.stdout;
}
const output = () => readFileSync(join(dir, "dist", "main.js"), "utf8");

it("builds, then skips tsc while the sources are the same, and rebuilds when they change", () => {
  build();
  expect(output()).toContain('"one"');
  const builtAt = statSync(join(dir, "dist", "main.js")).mtimeMs;

  expect(build("--if-stale")).not.toContain("compiling");
  expect(statSync(join(dir, "dist", "main.js")).mtimeMs).toBe(builtAt);

  // As after a `git pull`: new contents.
  writeFileSync(join(dir, "src", "main.ts"), 'export const version: string = "two";\n');
  expect(build("--if-stale")).toContain("compiling");
  expect(output()).toContain('"two"');

  // A new file counts too.
  writeFileSync(join(dir, "src", "extra.ts"), "export const extra = 3;\n");
  build("--if-stale");
  expect(existsSync(join(dir, "dist", "extra.js"))).toBe(true);
});

it("rebuilds a dist whose output was deleted, although tsc's own build info says it is up to date", () => {
  build("--if-stale");
  rmSync(join(dir, "dist", "main.js"));
  expect(build("--if-stale")).toContain("compiling");
  expect(output()).toContain("export const version");
});
