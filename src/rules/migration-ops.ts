/**
 * Reading migration modules from their syntax tree: the operations a migration
 * runs, in order, and what a `RunPython`/`RunSQL` does to rows.
 */
import type { FileDiff } from "../diff/types.js";
import { isMigration } from "./paths.js";
import { touchedLine } from "./diff-lines.js";
import { argument, calleeName, kids, nodesOf, stringValue, unwrap, type Node, type ReviewTrees, type Tree } from "./python-tree.js";
import type { RuleContext } from "./types.js";

/** One operation call of a migration and the line to report it on (undefined when the change did not touch it). */
export interface Operation {
  op: string;
  call: Node;
  line: number | undefined;
  file: FileDiff;
}

const OPERATION = /^(?:Run(?:Python|SQL)|(?:Add|Alter|Remove|Rename)(?:Field|Index|IndexConcurrently|Constraint)|(?:Create|Delete|Rename)Model|Alter\w+)$/;

/** The operations of a migration's new side, in source order. */
export function operations(file: FileDiff, trees: ReviewTrees): Operation[] {
  const tree = trees.get(file, "new");
  if (!tree) return [];
  const cached = OPERATIONS.get(tree);
  if (cached) return cached;
  const ops = readOperations(file, tree);
  OPERATIONS.set(tree, ops);
  return ops;
}

/** Operations per parsed migration, keyed by the tree they point into (a freed and re-parsed one is read again). */
const OPERATIONS = new WeakMap<Tree, Operation[]>();

function readOperations(file: FileDiff, tree: Tree): Operation[] {
  return nodesOf(tree.rootNode, "call")
    .filter((c) => OPERATION.test(calleeName(c)))
    .map((call) => ({ op: calleeName(call), call, line: touchedLine(call, file), file }));
}

/** Operations of a migration touched by the change, of the given kinds, with their line. */
export function touchedOperations(file: FileDiff, trees: ReviewTrees, ops: readonly string[]): Array<Operation & { line: number }> {
  return operations(file, trees).filter((o): o is Operation & { line: number } => o.line !== undefined && ops.includes(o.op));
}

/** The migrations of the same app in the change, in name order (0004 before 0005). */
export function appMigrations(file: FileDiff, ctx: RuleContext): FileDiff[] {
  const byDir = ctx.memo("migrations-by-dir", () => {
    const map = new Map<string, FileDiff[]>();
    for (const f of ctx.files.filter((x) => isMigration(x.path) && x.status !== "removed").sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const dir = f.path.slice(0, f.path.lastIndexOf("/") + 1);
      map.set(dir, [...(map.get(dir) ?? []), f]);
    }
    return map;
  });
  return byDir.get(file.path.slice(0, file.path.lastIndexOf("/") + 1)) ?? [];
}

/** Operations that run before `target` in this change: earlier in its file, or in an earlier migration of the app. */
export function operationsBefore(target: Operation, ctx: RuleContext): Operation[] {
  const out: Operation[] = [];
  for (const f of appMigrations(target.file, ctx)) {
    if (f.path > target.file.path) break;
    for (const o of operations(f, ctx.trees)) {
      if (f === target.file && o.call.startIndex >= target.call.startIndex) break;
      out.push(o);
    }
  }
  return out;
}

/** `model_name` of a field operation, lower-case (Django's own spelling). */
export function modelNameOf(op: Operation): string {
  return (stringValue(argument(op.call, 0, op.op === "CreateModel" || op.op === "DeleteModel" ? "name" : "model_name")) ?? "?").toLowerCase();
}

/** The function a `RunPython` runs (forward or reverse), when defined in the same module. */
export function functionBody(op: Operation, index: number, name: string): Node | undefined {
  const ref = unwrap(argument(op.call, index, name));
  if (ref?.type !== "identifier") return undefined;
  const root = op.call.tree.rootNode;
  return nodesOf(root, "function_definition").find((d) => d.childForFieldName("name")?.text === ref.text);
}

/** The SQL of a `RunSQL` argument: a string, or the strings of a list of statements. */
export function sqlText(node: Node | undefined): string {
  const n = unwrap(node);
  if (!n) return "";
  const v = stringValue(n);
  if (v !== undefined) return v;
  return n.type === "list" || n.type === "tuple" ? kids(n).map(sqlText).join(";\n") : "";
}

const DELETE_SQL = /\b(?:DELETE\s+FROM|DROP\s+(?:TABLE|COLUMN)|TRUNCATE)\b/i;
const DELETE_ORM = /\.delete\s*\(/;
const WRITE_SQL = /\b(?:DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b/i;
const WRITE_ORM = /\.(?:delete|update|bulk_update|save)\s*\(/;

/**
 * A data operation that deletes rows or tables (forward side). Updates are left
 * out: a backfill of NULLs needs no reverse, and an overwrite cannot be told from one.
 */
export function destroysRows(op: Operation): boolean {
  if (op.op === "RunSQL") return DELETE_SQL.test(sqlText(argument(op.call, 0, "sql")));
  if (op.op !== "RunPython") return false;
  const body = functionBody(op, 0, "code");
  return body !== undefined && DELETE_ORM.test(body.text);
}

/** Whether a data operation touches the NULLs of column `field` (fills or deletes them). */
export function handlesNulls(op: Operation, field: string): boolean {
  if (op.op === "RunSQL") {
    const sql = sqlText(argument(op.call, 0, "sql"));
    return WRITE_SQL.test(sql) && sql.toLowerCase().includes(field.toLowerCase());
  }
  if (op.op !== "RunPython") return false;
  const body = functionBody(op, 0, "code")?.text ?? "";
  return WRITE_ORM.test(body) && body.includes(field);
}

/** `migrations.RunPython.noop` / `RunSQL.noop`, or a function whose body is only `pass` or a docstring. */
export function isNoop(op: Operation, reverse: Node | undefined): boolean {
  const r = unwrap(reverse);
  if (!r) return false;
  if (/(?:^|\.)noop$/.test(r.text) || stringValue(r) === "" || (r.type === "list" && kids(r).length === 0)) return true;
  if (r.type !== "identifier") return false;
  const def = nodesOf(op.call.tree.rootNode, "function_definition").find((d) => d.childForFieldName("name")?.text === r.text);
  const body = kids(def?.childForFieldName("body")).filter((s) => s.type !== "comment");
  return body.length > 0 && body.every((s) => s.type === "pass_statement" || (s.type === "expression_statement" && stringValue(kids(s)[0]) !== undefined));
}
