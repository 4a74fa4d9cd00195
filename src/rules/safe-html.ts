/**
 * Whether a Python expression can only produce HTML the code itself wrote: a
 * constant, a translated constant, an escaped value, or a constant template
 * filled with such values (or with numbers only: `"%d sessions" % n`). This is
 * what makes `mark_safe(...)` harmless; real code does it far more often than
 * it marks user data safe, so the XSS rule asks this before firing.
 */
import { assignmentsTo } from "./python-calls.js";
import { ancestor, calleeName, kids, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";

/** Calls whose result is escaped HTML (or no HTML at all). */
const ESCAPING = new Set(["format_html", "format_html_join", "escape", "conditional_escape", "strip_tags", "render_to_string", "json_script", "escapejs", "urlencode", "quote", "int", "len", "float", "bool", "reverse", "static", "highlight", "flatatt"]);
/** Translation calls: safe when what they translate is. */
const TRANSLATE = /^(?:_|gettext|gettext_lazy|ugettext|ugettext_lazy|pgettext|pgettext_lazy|ngettext|ngettext_lazy)$/;
/** Nesting is shallow in real templates; deeper is treated as unknown (and the stack stays small). */
const MAX_DEPTH = 12;

/** `%` placeholders of a template: only numbers (`%d`, `%.1f`) cannot carry markup. */
function numericOnly(template: string): boolean {
  const holders = [...template.matchAll(/%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])/g)].map((m) => m[1]);
  return holders.length > 0 && holders.every((c) => c !== undefined && "%dif".includes(c));
}

/** The constant text of a string or a translated string, when it is one. */
function constantText(node: Node | undefined): string | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  const value = stringValue(n);
  if (value !== undefined) return value;
  if (n.type === "call" && TRANSLATE.test(calleeName(n))) return constantText(kids(n.childForFieldName("arguments"))[0]);
  // `SEPARATOR.join(...)`: a name assigned once, to a string constant.
  const assigned = n.type === "identifier" ? assignmentsTo(n.text, n) : undefined;
  return assigned?.length === 1 && assigned[0]?.type === "assignment" ? stringValue(assigned[0].childForFieldName("right")) : undefined;
}

/** Assignments to `name` in the function (or module) around `at`, before it. */
function assignedValues(name: string, at: Node): Node[] | undefined {
  const scope = ancestor(at, "function_definition") ?? ancestor(at, "module");
  if (!scope) return undefined;
  const params = scope.type === "function_definition" ? nodesOf(scope.childForFieldName("parameters"), "identifier").map((p) => p.text) : [];
  if (params.includes(name)) return undefined;
  const values: Node[] = [];
  for (const a of nodesOf(scope, ["assignment", "augmented_assignment"])) {
    const left = a.childForFieldName("left")?.text ?? "";
    // `parts["input"] = ...` fills the dict `parts` too.
    if (a.endIndex > at.startIndex || (left !== name && !left.startsWith(`${name}[`))) continue;
    const right = a.childForFieldName("right");
    if (!right) return undefined;
    values.push(right);
  }
  if (values.length > 0) return values;
  // Not assigned in the function: a module constant (`ICON = "<svg ...>"`) is read from the module.
  const global = scope.type === "function_definition" ? assignmentsTo(name, at) : undefined;
  return global?.every((a) => a.type === "assignment") ? global.map((a) => a.childForFieldName("right")).filter((r): r is Node => r !== null) : undefined;
}

/** Whether `node` can only be HTML the code wrote (see the module comment). */
export function isSafeHtml(node: Node | null | undefined, depth = 0): boolean {
  const n = unwrap(node);
  if (!n || depth > MAX_DEPTH) return false;
  const next = (c: Node | null | undefined): boolean => isSafeHtml(c, depth + 1);
  switch (n.type) {
    case "integer":
    case "float":
    case "true":
    case "false":
    case "none":
      return true;
    case "string":
      return kids(n).every((c) => c.type !== "interpolation" || next(c.childForFieldName("expression") ?? kids(c)[0]));
    case "concatenated_string":
      return kids(n).every(next);
    case "tuple":
    case "list":
      return kids(n).every(next);
    case "dictionary":
      return kids(n).every((p) => p.type !== "pair" || next(p.childForFieldName("value")));
    case "conditional_expression":
      return kids(n).slice(0, 1).concat(kids(n).slice(2)).every(next);
    case "subscript": {
      // `{True: "true", ...}[value]`: a lookup in a constant table.
      const table = unwrap(n.childForFieldName("value"));
      return table?.type === "dictionary" && next(table);
    }
    case "binary_operator": {
      const op = n.childForFieldName("operator")?.type;
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (op === "%") {
        const template = constantText(left ?? undefined);
        return template !== undefined && (numericOnly(template) || next(right));
      }
      return op === "+" && next(left) && next(right);
    }
    case "call": {
      const name = calleeName(n);
      const args = kids(n.childForFieldName("arguments")).map((a) => (a.type === "keyword_argument" ? a.childForFieldName("value") : a));
      // Django's renderers (`render`, `render_to_string`, a widget's `render`) escape what they fill in.
      if (ESCAPING.has(name) || name === "mark_safe" || /^render/.test(name)) return true;
      if (TRANSLATE.test(name)) return args.every(next);
      const receiver = n.childForFieldName("function")?.childForFieldName("object");
      // `"<b>{}</b>".format(escape(x))`, `", ".join(escaped)`.
      if ((name === "format" || name === "join") && constantText(receiver ?? undefined) !== undefined) return args.every(next);
      return false;
    }
    case "attribute":
      // A form's or admin's `media` renders its own tags.
      return n.childForFieldName("attribute")?.text === "media";
    case "identifier": {
      const values = assignedValues(n.text, n);
      return values !== undefined && values.every(next);
    }
    default:
      return false;
  }
}
