/**
 * Names bound to values in a Python syntax tree, and where a rule may report them.
 * Several rules ask "what is `X` set to here?" whatever the spelling: a module
 * constant, an attribute, a keyword argument, a parameter default or a dict key.
 */
import { MAX_DEPTH, kids, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";

/** One binding of a value to a name. */
export interface Binding {
  /** The name as written without spaces (`SECRET_KEY`, `self.api_token`, `DEFAULT_PERMISSION_CLASSES`). */
  name: string;
  /** The bound value (parentheses kept: {@link unwrap} them). */
  value: Node;
  /** The whole construct: assignment, keyword argument, parameter or dict pair. */
  node: Node;
}

const BINDING_TYPES = ["assignment", "augmented_assignment", "keyword_argument", "default_parameter", "typed_default_parameter", "pair"];

/** The name a binding node binds, or undefined (a tuple target, a subscript, a dict key that is not a string). */
function nameOf(node: Node): string | undefined {
  if (node.type === "pair") return stringValue(node.childForFieldName("key"));
  const target = node.childForFieldName(node.type.endsWith("assignment") ? "left" : "name");
  return target && (target.type === "identifier" || target.type === "attribute") ? target.text.replace(/\s+/g, "") : undefined;
}

/**
 * Every binding under `root`, in source order: `NAME = v`, `NAME: T = v`, `NAME += v`,
 * `obj.name = v`, `f(name=v)`, `def f(name=v)` and `{"NAME": v}`. In `a = b = v`
 * the inner assignment binds `b`; the outer one's value is that assignment.
 */
export function bindings(root: Node | null | undefined): Binding[] {
  return nodesOf(root, BINDING_TYPES).flatMap((node): Binding[] => {
    const name = nameOf(node);
    const value = node.childForFieldName(node.type.endsWith("assignment") ? "right" : "value");
    return name && value ? [{ name, value, node }] : [];
  });
}

/** The last dotted part of a binding's name (`self.api_token` → `api_token`). */
export const lastName = (b: Binding): string => b.name.slice(b.name.lastIndexOf(".") + 1);

/** An empty list or tuple literal: `[]`, `()`, `( )` (a comment inside does not count). */
export function isEmptySequence(node: Node | null | undefined): boolean {
  const n = unwrap(node);
  return (n?.type === "list" || n?.type === "tuple") && kids(n).every((c) => c.type === "comment");
}

/**
 * A statement that runs whenever its module is imported: not in a function, nor
 * behind an `if` (`if env("DJANGO_ENV") == "dev": DEBUG = True` is the dev switch,
 * not the setting). Class bodies count (django-configurations keeps settings there).
 */
export function unconditional(node: Node): boolean {
  let depth = 0;
  for (let p = node.parent; p; p = p.parent) {
    // Nesting deeper than real settings ever are counts as conditional: the walk stays short on hostile input.
    if (++depth > MAX_DEPTH || CONDITIONAL.has(p.type)) return false;
  }
  return true;
}

const CONDITIONAL = new Set(["if_statement", "function_definition", "lambda", "match_statement", "while_statement"]);

/** A string that is a statement of its own: a docstring or a commented-out block, not data. */
export function isDocString(node: Node): boolean {
  return node.parent?.type === "expression_statement" && node.parent.namedChildCount === 1;
}

/**
 * The last `parts` names of a dotted expression (`a.b.connection.set_tenant` → `connection.set_tenant`
 * for 2), read from the tree without the whole text: on a chain of calls every callee's text
 * repeats the chain before it.
 */
export function dottedTail(node: Node | null | undefined, parts: number): string {
  const names: string[] = [];
  let n = node ?? undefined;
  for (; n?.type === "attribute" && names.length < parts; n = n.childForFieldName("object") ?? undefined) names.unshift(n.childForFieldName("attribute")?.text ?? "");
  if (names.length < parts && n?.type === "identifier") names.unshift(n.text);
  return names.join(".");
}
