/**
 * Code execution: eval/exec, unsafe deserialisation, shell commands. The agent
 * prompt asks to "flag any use of exec(), eval()"; a constant argument is exempt
 * because it cannot carry attacker data.
 */
import type { FileDiff } from "../diff/types.js";
import { isManagementCommand, isPython } from "./paths.js";
import { isConstantString, touchedCalls } from "./python-calls.js";
import { argument, calleeName, keywordArg, positionalArgs, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "code-execution";

/**
 * Calls whose callee (as written) matches `callee`, touched by the change, one hit
 * per call that `fires`. `mention` is the cheap text test that spares files without
 * the name a parse.
 */
function hitsFor(file: FileDiff, ctx: RuleContext, mention: RegExp, callee: RegExp, fires: (call: Node) => string | undefined): RuleHit[] {
  return touchedCalls(file, ctx.trees, mention, callee).flatMap(({ call, line }) => {
    const body = fires(call);
    return body ? [{ line, body }] : [];
  });
}

/**
 * The code or command is given and is not a constant string: the first argument,
 * or one of the keywords the APIs name it by (`args=`, `cmd=`, `command=`).
 */
function nonConstantFirst(call: Node, ...names: string[]): boolean {
  const first = positionalArgs(call)[0] ?? names.map((n) => keywordArg(call, n)).find((a) => a !== undefined);
  return first !== undefined && !isConstantString(first);
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
    // The builtin only: `ast.literal_eval(`, `model.eval()` and `def eval(` are other names.
    check: (file, ctx) =>
      hitsFor(file, ctx, name === "eval" ? /\beval\b/ : /\bexec\b/, name === "eval" ? /^eval$/ : /^exec$/, (call) =>
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
    hitsFor(file, ctx, /ickle|dill|marshal/, /(?:^|\.)(?:c?[pP]ickle|_pickle|dill|marshal)\.loads?$/, () =>
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
    hitsFor(file, ctx, /yaml/, /(?:^|\.)yaml\.(?:load|load_all|unsafe_load|unsafe_load_all)$/, (call) => {
      const loader = unwrap(argument(call, 1, "Loader"));
      if (!calleeName(call).startsWith("unsafe_") && loader && /(?:^|\.)(?:C?SafeLoader|BaseLoader)$/.test(loader.text)) return undefined;
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
      ...hitsFor(file, ctx, /subprocess/, /(?:^|\.)subprocess\.(?:run|call|Popen|check_output|check_call)$/, (call) =>
        unwrap(keywordArg(call, "shell"))?.type === "true" && nonConstantFirst(call, "args") ? body : undefined,
      ),
      ...hitsFor(file, ctx, /\bos\b|subprocess/, /(?:^|\.)(?:os\.(?:system|popen)|subprocess\.(?:getoutput|getstatusoutput))$/, (call) =>
        nonConstantFirst(call, "cmd", "command") ? body : undefined,
      ),
    ];
  },
};

/** The code-execution family. */
export const CODE_EXECUTION_RULES: readonly Rule[] = [evalLike("eval"), evalLike("exec"), pickleRule, yamlRule, subprocessRule];
