import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPrivateKey, privateKeyProblem } from "../../../src/config/private-key.js";

const pem = (type: "pkcs1" | "pkcs8") =>
  generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type, format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;

describe("privateKeyProblem", () => {
  const key = pem("pkcs1");

  it("accepts the key in every form Probot reads: PEM, PKCS#8, \\n-escaped, base64", () => {
    expect(privateKeyProblem({ PRIVATE_KEY: key })).toBeUndefined();
    expect(privateKeyProblem({ PRIVATE_KEY: pem("pkcs8") })).toBeUndefined();
    expect(privateKeyProblem({ PRIVATE_KEY: key.replace(/\n/g, "\\n") })).toBeUndefined();
    expect(privateKeyProblem({ PRIVATE_KEY: Buffer.from(key).toString("base64") })).toBeUndefined();
    expect(privateKeyProblem({})).toBeUndefined();
  });

  it("names PRIVATE_KEY, never its value, when it is not a key", () => {
    for (const value of ["notapem", "-----BEGIN RSA PRIVATE KEY-----sekrit-----END RSA PRIVATE KEY-----", key.slice(0, 200)]) {
      const problem = privateKeyProblem({ PRIVATE_KEY: value });
      expect(problem).toMatch(/^PRIVATE_KEY: is not a PEM private key/);
      expect(problem).not.toContain(value.slice(0, 40));
    }
  });

  it("checks the file of PRIVATE_KEY_PATH", () => {
    const dir = mkdtempSync(join(tmpdir(), "private-key-"));
    try {
      writeFileSync(join(dir, "app.pem"), key);
      writeFileSync(join(dir, "notes.txt"), "not a key");
      expect(privateKeyProblem({ PRIVATE_KEY_PATH: "app.pem" }, dir)).toBeUndefined();
      expect(privateKeyProblem({ PRIVATE_KEY_PATH: "notes.txt" }, dir)).toMatch(/^PRIVATE_KEY_PATH: .*notes\.txt is not a PEM private key/);
      expect(privateKeyProblem({ PRIVATE_KEY_PATH: "missing.pem" }, dir)).toMatch(/^PRIVATE_KEY_PATH: no file at .*missing\.pem/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("checkPrivateKey (the server start-up check)", () => {
  const privateKey = pem("pkcs1");
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
  expect(() => checkPrivateKey({ PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/app.pem" })).toThrow("PRIVATE_KEY_PATH: no file at /nonexistent/app.pem");
  try {
    checkPrivateKey({ PRIVATE_KEY: truncated, PRIVATE_KEY_PATH: undefined });
  } catch (error) {
    expect(String(error)).not.toContain(truncated.slice(40, 80));
  }
});
});
