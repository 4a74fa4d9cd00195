/**
 * The GitHub App private key check at start-up. Probot, given a PRIVATE_KEY that is
 * not a PEM key, drops it and then says "privateKey option is required" — its own
 * option name, although a key was given. This names our variable instead.
 */
import { createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Env } from "./env.js";

const HELP = "expected the contents of the .pem file from the GitHub App's settings (-----BEGIN RSA PRIVATE KEY----- …), with real newlines or \\n, or base64 of it";

/** The PEM text Probot would take from a PRIVATE_KEY value (base64 decoded, `\n` expanded). */
function pemOf(value: string): string {
  const trimmed = value.trim();
  const decoded = /^[A-Za-z0-9+/=\s]+$/.test(trimmed) && !trimmed.includes("-----") ? Buffer.from(trimmed, "base64").toString("utf8") : trimmed;
  return decoded.replace(/\\n/g, "\n");
}

function isPrivateKey(pem: string): boolean {
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) return false;
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * One line saying what is wrong with PRIVATE_KEY or PRIVATE_KEY_PATH (PRIVATE_KEY wins,
 * as in Probot), or undefined when the key is usable or neither is set. Never
 * includes the value. `cwd` resolves a relative PRIVATE_KEY_PATH.
 */
export function privateKeyProblem(env: { PRIVATE_KEY?: string | undefined; PRIVATE_KEY_PATH?: string | undefined }, cwd = process.cwd()): string | undefined {
  if (env.PRIVATE_KEY) {
    return isPrivateKey(pemOf(env.PRIVATE_KEY)) ? undefined : `PRIVATE_KEY: is not a PEM private key (${HELP})`;
  }
  if (env.PRIVATE_KEY_PATH) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH);
    if (!existsSync(path)) return `PRIVATE_KEY_PATH: no file at ${path}`;
    return isPrivateKey(readFileSync(path, "utf8")) ? undefined : `PRIVATE_KEY_PATH: ${path} is not a PEM private key (${HELP})`;
  }
  return undefined;
}

/** {@link privateKeyProblem} as a start-up check: throws an Error naming the variable (never its value). */
export function checkPrivateKey(env: Pick<Env, "PRIVATE_KEY" | "PRIVATE_KEY_PATH">, cwd = process.cwd()): void {
  const problem = privateKeyProblem(env, cwd);
  if (problem) throw new Error(problem);
}
