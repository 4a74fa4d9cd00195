import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Env } from "./env.js";

const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]*-----END (RSA )?PRIVATE KEY-----/;

/** Whether `text` parses as a private key (a one-line PEM, which Probot re-wraps, is judged by its markers only). */
function parses(text: string): boolean {
  if (!text.includes("\n")) return true;
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the GitHub App's private key as Probot will read it (PRIVATE_KEY first: the
 * PEM text, with newlines as `\n` or base64-encoded; else the file at PRIVATE_KEY_PATH)
 * and throws an Error naming the variable to fix, never its value. Without it Probot
 * would drop an unreadable key silently and stop with "privateKey option is required".
 */
export function checkPrivateKey(env: Pick<Env, "PRIVATE_KEY" | "PRIVATE_KEY_PATH">, cwd = process.cwd()): void {
  if (env.PRIVATE_KEY) {
    let text = env.PRIVATE_KEY;
    if (!text.includes("-----BEGIN")) text = Buffer.from(text, "base64").toString();
    text = text.replaceAll("\\n", "\n");
    if (!PEM.test(text) || !parses(text)) {
      throw new Error("PRIVATE_KEY: is not a PEM private key; paste the whole .pem file GitHub gave (-----BEGIN … -----END …, newlines as \\n), or set PRIVATE_KEY_PATH to the file instead");
    }
    return;
  }
  if (!env.PRIVATE_KEY_PATH) return;
  const path = resolve(cwd, env.PRIVATE_KEY_PATH);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`PRIVATE_KEY_PATH: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`, { cause: error });
  }
  if (!PEM.test(text) || !parses(text)) throw new Error(`PRIVATE_KEY_PATH: ${path} is not a PEM private key (the .pem file from the GitHub App's settings page)`);
}
