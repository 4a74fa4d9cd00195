#!/usr/bin/env node
/**
 * Scaffolds an eval case: `node scripts/new-eval-case.mjs <name>` makes
 * eval/cases/<name>/ with empty base/ and head/ trees and an expected.yml to fill in.
 *
 * With `--repo <dir> --base <ref> --head <ref>` it copies a real change instead:
 * every file the change touches, as it was at <base> (base/) and at <head> (head/),
 * and lists the changed line ranges of head/ in expected.yml as comments, so only
 * the category, severity and description of each problem are left to write.
 * A deleted file cannot be laid over base/: give such a change as change.patch.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repo: { type: "string" }, base: { type: "string" }, head: { type: "string" }, cases: { type: "string", default: "eval/cases" } },
});
const name = positionals[0];
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || positionals.length > 1) {
  console.error("usage: node scripts/new-eval-case.mjs <name: lower-case-with-dashes> [--repo <dir> --base <ref> --head <ref>]");
  process.exit(2);
}
if (values.repo && !(values.base && values.head)) {
  console.error("--repo needs --base and --head");
  process.exit(2);
}
const dir = join(values.cases, name);
if (existsSync(dir)) {
  console.error(`${dir} exists already`);
  process.exit(2);
}
mkdirSync(join(dir, "base/backend"), { recursive: true });
mkdirSync(join(dir, "head/backend"), { recursive: true });

const git = (...args) => execFileSync("git", args, { cwd: values.repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
const write = (path, text) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

let title = "What the change does (the commit subject the model sees)";
const hints = [];
if (values.repo) {
  title = git("log", "-1", "--format=%s", values.head).trim();
  for (const line of git("diff", "--name-status", "--no-renames", values.base, values.head).split("\n").filter(Boolean)) {
    const [status, path] = line.split("\t");
    if (status !== "A") write(join(dir, "base", path), git("show", `${values.base}:${path}`));
    if (status === "D") {
      console.error(`${path} is deleted by the change: write the case as change.patch instead (git diff ${values.base} ${values.head} > ${dir}/change.patch)`);
      continue;
    }
    write(join(dir, "head", path), git("show", `${values.head}:${path}`));
    // The added lines' ranges of head/, from the hunk headers: where the problems can be.
    for (const hunk of git("diff", "-U0", values.base, values.head, "--", path).matchAll(/^@@ [^+]*\+(\d+)(?:,(\d+))? @@/gm)) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) hints.push(`#   ${path}: lines [${start}, ${start + count - 1}]`);
    }
  }
}

write(join(dir, "expected.yml"), `title: ${JSON.stringify(title)}
# source: https://… (a public bug report this case mirrors, if any)
${hints.length ? `# Changed lines of head/:\n${hints.join("\n")}\n` : ""}# One entry per known problem; \`problems: []\` for a clean case (the right answer is "nothing").
# category: security | bug | tenancy | migration | performance | test | maintainability
# severity: critical | high | medium | low | info
problems:
  - path: backend/app/views.py
    lines: [10, 12]
    # oldLines: [14, 16]   # only for removed code: its lines in base/
    category: security
    severity: high
    description: "One line: what is wrong and what it leads to"
`);
console.log(`${dir}: put the files before the change in base/, the changed files in head/, then fill in expected.yml.
Check it: npx backend-agent eval --rules-only --case ${name}   (or: node --import tsx src/cli/main.ts eval --rules-only --case ${name})`);
