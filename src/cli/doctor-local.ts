import { createPrivateKey, type KeyObject } from "node:crypto";
import { constants, existsSync, statSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import YAML from "yaml";
import { loadBundledAgent, resolveAgent } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { parseRepoConfig, REPO_CONFIG_PATH } from "../config/repo-config.js";
import { messageOf } from "../errors.js";
import { check, type CheckResult } from "./doctor-check.js";
import { repoRoot } from "./git.js";
import { BUNDLED_AGENT_FILE } from "./load-inputs.js";

/**
 * PRIVATE_KEY as Probot reads it: a PEM with real or `\n`-escaped newlines, or the
 * PEM in base64; else the file at PRIVATE_KEY_PATH.
 */
async function keyText(env: Pick<Env, "PRIVATE_KEY" | "PRIVATE_KEY_PATH">): Promise<{ text: string; from: string }> {
  if (env.PRIVATE_KEY) {
    const text = env.PRIVATE_KEY.replace(/\\n/g, "\n");
    if (text.includes("-----BEGIN")) return { text, from: "PRIVATE_KEY" };
    const decoded = Buffer.from(text, "base64").toString("utf8");
    return { text: decoded.includes("-----BEGIN") ? decoded : text, from: "PRIVATE_KEY" };
  }
  const path = env.PRIVATE_KEY_PATH ?? "";
  return { text: await readFile(path, "utf8"), from: `PRIVATE_KEY_PATH (${path})` };
}

/** The App's private key, parsed; `key` is set only when it can sign the App's JWT. */
export async function checkPrivateKey(env: Env): Promise<{ result: CheckResult; key?: KeyObject }> {
  const label = "private key";
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
    const status = env.APP_ID ? "fail" : "skip";
    return { result: check(status, label, "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set; set PRIVATE_KEY_PATH to the .pem downloaded from the App's settings page") };
  }
  let source: { text: string; from: string };
  try {
    source = await keyText(env);
  } catch (error) {
    return { result: check("fail", label, `cannot read PRIVATE_KEY_PATH: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}; give the path of the App's .pem file`) };
  }
  try {
    const key = createPrivateKey(source.text);
    if (key.asymmetricKeyType !== "rsa") {
      return { result: check("fail", label, `${source.from} is a ${key.asymmetricKeyType ?? "non-RSA"} key; GitHub Apps sign with RSA: use the .pem from the App's settings page`) };
    }
    return { result: check("ok", label, `${source.from} is an RSA private key (${key.asymmetricKeyDetails?.modulusLength ?? "?"} bits)`), key };
  } catch {
    // The parser's message says nothing a user can act on; the value itself is never shown.
    return {
      result: check("fail", label, `${source.from} is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- …); paste the whole .pem from the App's settings page (newlines as \\n are fine) or set PRIVATE_KEY_PATH to the file`),
    };
  }
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, "0");

/** DATA_DIR: writable (or creatable), and private: 0700, its store 0600 (queued jobs hold users' comments). */
export async function checkDataDir(env: Env, cwd: string): Promise<CheckResult> {
  const label = "DATA_DIR";
  const dir = resolve(cwd, env.DATA_DIR);
  if (env.REDIS_URL && env.PROCESS_ROLE !== "all") return check("skip", label, `not used by PROCESS_ROLE=${env.PROCESS_ROLE} with REDIS_URL`);
  if (!existsSync(dir)) {
    let parent = dirname(dir);
    while (!existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
    try {
      await access(parent, constants.W_OK);
      return check("ok", label, `${dir} does not exist yet; the server creates it (mode 0700)`);
    } catch {
      return check("fail", label, `${dir} does not exist and ${parent} is not writable; create it (mkdir -m 700) or set DATA_DIR to a writable directory`);
    }
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) return check("fail", label, `${dir} is not a directory; set DATA_DIR to a directory`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    return check("fail", label, `${dir} is not writable by this user; chown it to the user that runs the server or set DATA_DIR`);
  }
  const loose = [];
  if (stats.mode & 0o077) loose.push(`${dir} has mode ${octal(stats.mode)} (chmod 700 ${dir})`);
  const store = join(dir, "jobs.sqlite");
  if (existsSync(store)) {
    const mode = statSync(store).mode;
    if (mode & 0o077) loose.push(`jobs.sqlite has mode ${octal(mode)} (chmod 600 ${store}; the server tightens it at start)`);
  }
  if (loose.length) return check("warn", label, `writable, but other accounts may read queued jobs: ${loose.join("; ")}`);
  return check("ok", label, `${dir} is writable and private${existsSync(store) ? " (store 0600)" : ""}`);
}

/** The agent the server loads (AGENT_FILE), and a repository's `.claude/agents/<name>.md` override when `cwd` is in one. */
export async function checkAgent(env: Env, cwd: string, explicit: boolean): Promise<CheckResult> {
  const label = "agent";
  // AGENT_FILE is relative to where the server starts; outside the checkout the shipped agent stands in.
  const file = explicit || existsSync(resolve(cwd, env.AGENT_FILE)) ? resolve(cwd, env.AGENT_FILE) : BUNDLED_AGENT_FILE;
  try {
    const bundled = await loadBundledAgent(file);
    const root = await repoRoot(cwd).catch(() => undefined);
    const read = (path: string) => (root === undefined ? Promise.resolve(undefined) : readFile(join(root, path), "utf8").catch(() => undefined));
    const agent = await resolveAgent(bundled, read, (path) => path);
    const override = agent === bundled ? "" : ` (this repository overrides it with ${agent.source})`;
    // The shipped agent's lenient front matter is ours to keep, not the user's to fix: no "!" for it.
    const warn = agent.warning !== undefined && (agent !== bundled || file !== BUNDLED_AGENT_FILE);
    return check(warn ? "warn" : "ok", label, `${file}: ${agent.name}, model ${agent.model}${override}${warn ? `; ${agent.warning}` : ""}`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? `${file} does not exist; set AGENT_FILE to the agent definition` : messageOf(error);
    return check("fail", label, `${reason} (backend-agent agents validate <file> describes it)`);
  }
}

/** `--config <file>`, or `.github/backend-agent.yml` of the git repository around `cwd` when it has one. */
export async function checkRepoConfig(cwd: string, file: string | undefined): Promise<CheckResult> {
  const label = "repo config";
  let path = file === undefined ? undefined : resolve(cwd, file);
  if (path === undefined) {
    const root = await repoRoot(cwd).catch(() => undefined);
    if (root === undefined) return check("skip", label, `not in a git repository (run doctor in one, or give --config <file>)`);
    path = join(root, REPO_CONFIG_PATH);
    if (!existsSync(path)) return check("skip", label, `${root} has no ${REPO_CONFIG_PATH}: the defaults apply`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return check("fail", label, `${path}: ${code ? `cannot read it (${code})` : `not valid YAML: ${messageOf(error).split("\n")[0]}`}`);
  }
  const parsed = parseRepoConfig(raw);
  if ("config" in parsed) return check("ok", label, `${path} is valid`);
  const problems = parsed.problems.map((problem) => `${problem.key}: ${problem.message}`);
  return check("fail", label, `${path}: ${problems.join("; ")} (the App reports these on the PR's check run)`);
}
