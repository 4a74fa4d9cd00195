/**
 * Call-site queries over the syntax tree for the rules that ask "is this API given
 * data?" (eval, shell, raw SQL, `format_html`): which calls the change touched, and
 * whether an argument is a constant string or a string formatted from data.
 *
 * Names are followed inside one function (or to the module's top level when the
 * function does not bind them), in source order, the way a reviewer reads them;
 * nothing crosses a function call.
 */
import type { FileDiff } from "../diff/types.js";
import { touchedLine } from "./diff-lines.js";
import { MAX_DEPTH, calleeName, calleeText, kids, nodesOf, stringValue, unwrap, type Node, type ReviewTrees } from "./python-tree.js";

/** A call the change touched, with the line to report it on. */
export interface TouchedCall {
  call: Node;
  line: number;
}

/**
 * Whether a line of the new side's hunks (added or context) matches `pattern`: a
 * cheap test before the tree is read. Context counts, because a call whose
 * `Loader=` line alone changed is still that call.
 */
export function hunkMentions(file: FileDiff, pattern: RegExp): boolean {
  return file.hunks.some((h) => h.lines.some((l) => l.kind !== "del" && pattern.test(l.text)));
}

/** Every call of a tree with its callee text: one walk per tree, however many rules ask. */
const CALLS = new WeakMap<object, Array<{ call: Node; callee: string }>>();

/** Calls on the new side whose callee as written (`subprocess.run`, `cursor.execute`) matches `callee`, touched or not. */
export function callsTo(file: FileDiff, trees: ReviewTrees, mention: RegExp, callee: RegExp): Node[] {
  const tree = hunkMentions(file, mention) ? trees.get(file, "new") : undefined;
  if (!tree) return [];
  let calls = CALLS.get(tree);
  if (!calls) CALLS.set(tree, (calls = nodesOf(tree.rootNode, "call").map((call) => ({ call, callee: calleeText(call) }))));
  return calls.filter((c) => callee.test(c.callee)).map((c) => c.call);
}

/**
 * The line to report a call on when the change touched its argument list's lines:
 * the line of the opening parenthesis (the callee's line), so a chain's `.extra(`
 * line is reported, not the line where `Order.objects` began.
 */
export function touchedCallLine(call: Node, file: FileDiff): number | undefined {
  const args = call.childForFieldName("arguments");
  return args ? touchedLine(args, file) : undefined;
}

/** {@link callsTo} the change touched, with the line to report each on. */
export function touchedCalls(file: FileDiff, trees: ReviewTrees, mention: RegExp, callee: RegExp): TouchedCall[] {
  return callsTo(file, trees, mention, callee).flatMap((call) => {
    const line = touchedCallLine(call, file);
    return line === undefined ? [] : [{ call, line }];
  });
}

/** Statements that bind a name. */
const BINDERS = new Set(["assignment", "augmented_assignment", "for_statement", "as_pattern_target"]);
/** Nodes that open a scope of their own: their bindings are not their parent's. */
const SCOPES = new Set(["function_definition", "lambda", "class_definition"]);
/** Functions nested around a call looked through; real code nests far less, crafted input far more. */
const MAX_NESTING = 200;
/** Assignments of one name read back from a call; a name assigned more often than this is unknown. */
const MAX_ASSIGNMENTS = 32;

/** Bindings by name, per scope node, per tree: each scope is walked once per review, however many calls ask. */
const BINDINGS = new WeakMap<object, Map<number, Map<string, Node[]>>>();

/**
 * The names a function (or the module) binds itself, not inside a nested function
 * or class, each in source order. One walk with an explicit stack, without
 * descending into nested scopes: linear however deeply `a = b = c = ...` nests.
 */
function bindingsOf(scope: Node): Map<string, Node[]> {
  const perTree = BINDINGS.get(scope.tree) ?? new Map<number, Map<string, Node[]>>();
  BINDINGS.set(scope.tree, perTree);
  const cached = perTree.get(scope.id);
  if (cached) return cached;
  const byName = new Map<string, Node[]>();
  const stack = scope.type === "module" ? kids(scope) : kids(scope.childForFieldName("body"));
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (SCOPES.has(n.type)) continue;
    if (BINDERS.has(n.type)) {
      const target = n.type === "as_pattern_target" ? n.text : (n.childForFieldName("left")?.text ?? "");
      const list = byName.get(target) ?? [];
      list.push(n);
      byName.set(target, list);
    }
    for (const c of kids(n)) stack.push(c);
  }
  for (const list of byName.values()) list.sort((x, y) => x.startIndex - y.startIndex);
  perTree.set(scope.id, byName);
  return byName;
}

/** The functions of a tree in source order, each with the index of the function around it (-1: module). */
const FUNCTIONS = new WeakMap<object, { nodes: Node[]; outer: number[] }>();

/**
 * The function or lambda around `at`, null at module level. Found among the tree's
 * functions by position, not by climbing `parent`: tree-sitter finds a node's parent
 * by descending from the root, so a climb costs depth² on deeply nested input.
 */
function enclosingFunction(at: Node): Node | null | undefined {
  let fns = FUNCTIONS.get(at.tree);
  if (!fns) {
    const nodes = nodesOf(at.tree.rootNode, ["function_definition", "lambda"]);
    const outer: number[] = [];
    const open: number[] = [];
    nodes.forEach((f, i) => {
      while (open.length > 0 && (nodes[open[open.length - 1] ?? 0]?.endIndex ?? 0) <= f.startIndex) open.pop();
      outer.push(open[open.length - 1] ?? -1);
      open.push(i);
    });
    FUNCTIONS.set(at.tree, (fns = { nodes, outer }));
  }
  // The innermost function around `at` is the last one starting before it, or one of that one's outer functions.
  let i = lastBefore(fns.nodes, at.startIndex) - 1;
  for (let steps = 0; i >= 0 && steps < MAX_NESTING; steps++, i = fns.outer[i] ?? -1) {
    const f = fns.nodes[i];
    if (f && f.endIndex >= at.endIndex) return f;
  }
  return i < 0 ? null : undefined;
}

/** The number of nodes of `list` (source order) that start before `offset`. */
function lastBefore(list: Node[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.startIndex ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bindings of `list` (source order) that end before `at`, the last {@link MAX_ASSIGNMENTS} of them; undefined past that. */
function bindingsBefore(list: Node[], at: Node): Node[] | undefined {
  const lo = lastBefore(list, at.startIndex);
  const out: Node[] = [];
  // A binding around `at` (`sql = execute(sql)`, a loop over it) starts before it; only finished assignments count.
  for (let k = lo - 1, looked = 0; k >= 0; k--, looked++) {
    const b = list[k];
    if (!b || looked >= 2 * MAX_ASSIGNMENTS || out.length >= MAX_ASSIGNMENTS) return undefined;
    if (b.type === "for_statement" || b.type === "as_pattern_target" || b.endIndex <= at.startIndex) out.push(b);
  }
  return out.reverse();
}

/**
 * The assignments (`=` and `+=`) to the plain name `name` that reach `at`, in source
 * order: those of its function before it, or the module's top-level ones when the
 * function does not assign it. Undefined when `name` is a parameter, a loop or `with`
 * target, is never assigned, or is assigned more than {@link MAX_ASSIGNMENTS} times: its value is unknown.
 */
export function assignmentsTo(name: string, at: Node): Node[] | undefined {
  const fn = enclosingFunction(at);
  if (fn === undefined) return undefined;
  if (fn && nodesOf(fn.childForFieldName("parameters"), "identifier").some((p) => p.text === name)) return undefined;
  const local = fn !== null && bindingsOf(fn).has(name);
  const all = bindingsOf(local && fn ? fn : at.tree.rootNode).get(name) ?? [];
  // In the code's own scope only what comes before counts; a module constant is set before any function runs.
  const found = local || !fn ? bindingsBefore(all, at) : all.length <= MAX_ASSIGNMENTS ? all : undefined;
  return !found || found.length === 0 || found.some((b) => b.type === "for_statement" || b.type === "as_pattern_target") ? undefined : found;
}

/**
 * Data fixed in the source: a string constant (implicit concatenation included), or
 * a name every assignment of which is one (`SQL = "SELECT 1"`, then `execute(SQL)`).
 * One level only: `a = b` is not followed on, so a chain of names stays linear.
 */
export function isConstantString(node: Node | null | undefined): boolean {
  const n = unwrap(node);
  if (!n) return false;
  if (stringValue(n) !== undefined) return true;
  if (n.type !== "identifier") return false;
  const values = assignmentsTo(n.text, n);
  return values !== undefined && values.every((a) => a.type === "assignment" && stringValue(a.childForFieldName("right")) !== undefined);
}

/** Whether an operand of `%` is a string (template): a literal, a formatted string, a constant name, or a call's result (`_("...")`). */
function isTemplate(node: Node | null | undefined, depth: number): boolean {
  const n = unwrap(node);
  return n !== undefined && (n.type === "call" || isConstantString(n) || isDynamicString(n, depth));
}

/** The operands of a chain of `+` (`"a" + b + "c"` is one chain of three). */
function sumOperands(node: Node, depth: number): Node[] {
  const n = unwrap(node);
  if (!n) return [];
  if (depth > MAX_DEPTH || n.type !== "binary_operator" || n.childForFieldName("operator")?.type !== "+") return [n];
  return [n.childForFieldName("left"), n.childForFieldName("right")].flatMap((c) => (c ? sumOperands(c, depth + 1) : []));
}

/**
 * A string built from data at run time: an f-string with a placeholder, `%` on a
 * string template, `.format(...)` on a string, or `+` joining a string to something
 * that is not a constant string.
 */
export function isDynamicString(node: Node | null | undefined, depth = 0): boolean {
  const n = unwrap(node);
  if (!n || depth > MAX_DEPTH) return false;
  if (n.type === "string") return kids(n).some((c) => c.type === "interpolation");
  if (n.type === "concatenated_string") return kids(n).some((c) => isDynamicString(c, depth + 1));
  if (n.type === "call") {
    const receiver = n.childForFieldName("function")?.childForFieldName("object");
    return calleeName(n) === "format" && (isConstantString(receiver) || isDynamicString(receiver, depth + 1));
  }
  if (n.type !== "binary_operator") return false;
  const op = n.childForFieldName("operator")?.type;
  if (op === "%") return isTemplate(n.childForFieldName("left"), depth + 1);
  if (op !== "+") return false;
  const parts = sumOperands(n, depth);
  const texts = parts.filter((p) => stringValue(p) !== undefined || isDynamicString(p, depth + 1));
  return texts.length > 0 && parts.some((p) => !isConstantString(p));
}

/** Where a variable passed to a call was last built with string formatting, when it was. */
export interface FormattedVariable {
  name: string;
  /** The `=` or `+=` that built it (the last one reaching the call). */
  built: Node;
}

/**
 * Whether `arg` is a plain name whose value at the call is a formatted string:
 * `sql = f"..."` (or `+=` onto such a string, or a formatted `+=`), not reassigned
 * to something else before the call.
 */
export function formattedVariable(arg: Node | null | undefined): FormattedVariable | undefined {
  const n = unwrap(arg);
  if (n?.type !== "identifier") return undefined;
  let built: Node | undefined;
  for (const a of assignmentsTo(n.text, n) ?? []) {
    const right = a.childForFieldName("right");
    const appended = a.type === "augmented_assignment" && a.childForFieldName("operator")?.type === "+=";
    if (isDynamicString(right) || (appended && built)) built = a;
    else if (a.type === "assignment") built = undefined;
  }
  return built && { name: n.text, built };
}
