/**
 * Code execution: eval/exec, unsafe deserialisation, shell commands. The agent
 * prompt asks to "flag any use of exec(), eval()"; a constant argument is exempt
 * because it cannot carry attacker data.
 */
import type { FileDiff } from "../diff/types.js";
import { isManagementCommand, isPython } from "./paths.js";
import { findCalls, isConstantString, keyword, positional, type Call } from "./python-expr.js";
import { fileCodeLines } from "./python-source.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "code-execution";

/** Calls matching `callee` on changed lines, one hit per call. */
function hitsFor(file: FileDiff, ctx: RuleContext, callee: RegExp, fires: (call: Call) => string | undefined): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const lines of fileCodeLines(file, ctx.trees)) {
    for (const call of findCalls(lines, callee)) {
      if (!call.touchesAdded) continue;
      const body = fires(call);
      if (body) hits.push({ line: call.line.line, body });
    }
  }
  return hits;
}

/** First positional argument is not a literal. */
function nonConstantFirst(call: Call): boolean {
  const first = positional(call)[0];
  return first !== undefined && !isConstantString(first);
}

/** The callee of `eval(`/`exec(`: `(?<![\w.])` keeps `ast.literal_eval(`, `model.eval()` and `def eval(` out. */
export function evalCallPattern(name: string): RegExp {
  return new RegExp(`(?<![\\w.])(?<!def\\s+)${name}\\s*\\(`, "g");
}

function evalLike(name: "eval" | "exec"): Rule {
  return {
    id: `${FAMILY}/${name}`,
    family: FAMILY,
    defaultSeverity: "high",
    category: "security",
    title: `\`${name}()\` on non-constant input`,
    // A management command (`shell_plus`) runs code for the operator who typed it.
    appliesTo: (path) => isPython(path) && !isManagementCommand(path),
    skipsTests: true,
    check: (file, ctx) =>
      hitsFor(file, ctx, evalCallPattern(name), (call) =>
        nonConstantFirst(call)
          ? `\`${name}()\` runs its argument as Python code with the process's full rights; if any part of it comes ` +
            `from a request, a task payload or the database, that is remote code execution. Parse the data instead ` +
            `(\`json.loads\`, \`ast.literal_eval\` for Python literals) or dispatch through a dict of allowed callables.`
          : undefined,
      ),
  };
}

const pickleRule: Rule = {
  id: `${FAMILY}/pickle`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "Unpickling data (`pickle.loads` and friends)",
  appliesTo: isPython,
  skipsTests: true,
  check: (file, ctx) =>
    hitsFor(file, ctx, /\b(?:c?[pP]ickle|_pickle|dill|marshal)\.loads?\s*\(/g, () =>
      "Unpickling runs arbitrary code chosen by whoever wrote the bytes, so it is only safe for data this " +
      "process wrote itself and nobody else could touch (not a cache, queue, upload or request body). Use JSON " +
      "or a schema'd format, or sign the payload (`django.core.signing`) and verify before loading.",
    ),
};

const yamlRule: Rule = {
  id: `${FAMILY}/yaml-load`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "`yaml.load` without a safe loader",
  appliesTo: isPython,
  skipsTests: true,
  check: (file, ctx) =>
    hitsFor(file, ctx, /\byaml\.(?:load|load_all|unsafe_load|unsafe_load_all)\s*\(/g, (call) => {
      const unsafeFn = /unsafe_/.test(call.line.code.slice(call.col, call.col + 25));
      const loader = keyword(call, "Loader") ?? positional(call)[1];
      if (!unsafeFn && loader && /\b(?:C?SafeLoader|BaseLoader)\b/.test(loader.code)) return undefined;
      return (
        "PyYAML's full/unsafe loaders can construct arbitrary Python objects from tags in the document, which " +
        "is code execution for anyone who controls the YAML; without `Loader=` PyYAML 6 raises instead. " +
        "Use `yaml.safe_load(...)` or pass `Loader=yaml.SafeLoader`."
      );
    }),
};

const subprocessRule: Rule = {
  id: `${FAMILY}/shell-command`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "Shell command built from non-constant data",
  appliesTo: isPython,
  skipsTests: true,
  check: (file, ctx) => {
    const body =
      "The command goes through `/bin/sh`, so any quote, `;` or `$(...)` in the interpolated data runs as shell " +
      "(command injection). Pass an argument list without `shell=True` (`subprocess.run([\"cmd\", arg], check=True)`), " +
      "or `shlex.quote()` every piece if a shell is truly needed.";
    return [
      ...hitsFor(file, ctx, /\bsubprocess\.(?:run|call|Popen|check_output|check_call)\s*\(/g, (call) => {
        const shell = keyword(call, "shell");
        return shell && /^\s*True\s*$/.test(shell.code) && nonConstantFirst(call) ? body : undefined;
      }),
      ...hitsFor(file, ctx, /\b(?:os\.(?:system|popen)|subprocess\.(?:getoutput|getstatusoutput))\s*\(/g, (call) =>
        nonConstantFirst(call) ? body : undefined,
      ),
    ];
  },
};

/** The code-execution family. */
export const CODE_EXECUTION_RULES: readonly Rule[] = [evalLike("eval"), evalLike("exec"), pickleRule, yamlRule, subprocessRule];
