import { EVAL_HELP, parseCommand } from "../../../src/cli/args.js";

describe("backend-agent eval arguments", () => {
  it("reads repeated --config and --case, and the switches", () => {
    expect(parseCommand(["eval", "--config", "a.yml", "--config", "b.yml", "--case", "x", "--threshold-sweep", "--json", "--replay", "c"])).toEqual({
      kind: "eval",
      options: { cases: undefined, only: ["x"], configs: ["a.yml", "b.yml"], rulesOnly: false, judge: false, sweep: true, out: "eval-out", json: true, record: undefined, replay: "c" },
    });
    expect(parseCommand(["eval", "--help"])).toEqual({ kind: "help", text: EVAL_HELP });
  });

  it("refuses combinations that cannot mean anything, saying why", () => {
    expect(() => parseCommand(["eval", "--record", "a", "--replay", "b"])).toThrow("--record and --replay exclude each other");
    expect(() => parseCommand(["eval", "--rules-only", "--config", "a.yml"])).toThrow(/--rules-only measures the rules alone/);
    expect(() => parseCommand(["eval", "--rules-only", "--judge"])).toThrow("--judge needs the model");
    expect(() => parseCommand(["eval", "--out", ""])).toThrow("--out needs a value");
    expect(() => parseCommand(["eval", "--bogus"])).toThrow(/see backend-agent eval --help/);
  });
});
