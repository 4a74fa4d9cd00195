import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPrivateKey } from "../../../src/config/private-key.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

it("takes a key as Probot reads it: PEM text, newlines escaped, base64, or a file", () => {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-key-"));
  try {
    writeFileSync(join(dir, "app.pem"), privateKey);
    expect(() => checkPrivateKey({ PRIVATE_KEY: privateKey, PRIVATE_KEY_PATH: undefined })).not.toThrow();
    expect(() => checkPrivateKey({ PRIVATE_KEY: privateKey.replaceAll("\n", "\\n"), PRIVATE_KEY_PATH: undefined })).not.toThrow();
    expect(() => checkPrivateKey({ PRIVATE_KEY: Buffer.from(privateKey).toString("base64"), PRIVATE_KEY_PATH: undefined })).not.toThrow();
    expect(() => checkPrivateKey({ PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "app.pem" }, dir)).not.toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("names the variable when the key is not one, and never echoes it", () => {
  expect(() => checkPrivateKey({ PRIVATE_KEY: "notapem", PRIVATE_KEY_PATH: undefined })).toThrow(/^PRIVATE_KEY: is not a PEM private key/);
  const truncated = privateKey.slice(0, 400) + privateKey.slice(-40);
  expect(() => checkPrivateKey({ PRIVATE_KEY: truncated, PRIVATE_KEY_PATH: undefined })).toThrow(/^PRIVATE_KEY: is not a PEM private key[^\n]*$/);
  expect(() => checkPrivateKey({ PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/app.pem" })).toThrow("PRIVATE_KEY_PATH: cannot read /nonexistent/app.pem (ENOENT)");
  try {
    checkPrivateKey({ PRIVATE_KEY: truncated, PRIVATE_KEY_PATH: undefined });
  } catch (error) {
    expect(String(error)).not.toContain(truncated.slice(40, 80));
  }
});
