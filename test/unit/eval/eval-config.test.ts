import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { loadEvalConfig } from "../../../src/eval/eval-config.js";

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "eval-config-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("eval configurations", () => {
  it("fills in the defaults and takes the name from the file", async () => {
    expect(await loadEvalConfig(file("haiku-loose.yml", "model: haiku\nminConfidence: 0.4\n"))).toEqual({
      name: "haiku-loose", model: "haiku", minConfidence: 0.4, rules: true, ruleSettings: {}, modelReview: true, tools: undefined,
    });
    expect(await loadEvalConfig(file("x.yml", "name: no rules\nrules: false\n"))).toMatchObject({ name: "no rules", rules: false, minConfidence: 0.7 });
    expect(await loadEvalConfig(file("y.yml", "rules:\n  secrets: off\n"))).toMatchObject({ rules: true, ruleSettings: { secrets: "off" } });
  });

  it("names the file and key of a mistake", async () => {
    await expect(loadEvalConfig(file("a.yml", "minConfidence: 2\n"))).rejects.toThrow(/a\.yml: minConfidence: /);
    await expect(loadEvalConfig(file("b.yml", "rules:\n  nosuchrule: off\n"))).rejects.toThrow(/b\.yml: rules\.nosuchrule/);
    await expect(loadEvalConfig(join(dir, "missing.yml"))).rejects.toThrow(/missing\.yml: ENOENT/);
  });

  it("takes tools only where the settings file has that key", async () => {
    const tools = file("tools.yml", "tools: false\n");
    if ("tools" in repoConfigSchema.shape) await expect(loadEvalConfig(tools)).resolves.toMatchObject({ tools: false });
    else await expect(loadEvalConfig(tools)).rejects.toThrow("tools: this build's reviewer has no tools setting");
  });
});
