/**
 * The schema a models module declares, read from its syntax tree: each model
 * field and schema-bearing Meta option in a form that ignores layout (see
 * {@link canonical}), so a formatter's rewrite or `"app.Model"` for `Model` is not
 * a schema change while a new `max_length` is.
 */
import type { FileDiff } from "../diff/types.js";
import { ancestor, calleeName, canonical, keywordArg, kids, nodesOf, unwrap, type FileSide, type Node, type ReviewTrees, type Tree } from "./python-tree.js";

/** One schema statement: `Model.field` or `Model.Meta.indexes`, and its assignment node. */
export interface SchemaEntry {
  key: string;
  form: string;
  node: Node;
  /** The field's call (fields only). */
  call?: Node | undefined;
}

const FIELD_CALL = /(?:Field|ForeignKey)$/;
const META_OPTIONS = new Set(["unique_together", "index_together", "indexes", "constraints", "db_table"]);
/** Classes in a models module that are not models. */
const NOT_MODEL_BASE = /(?:Form|Serializer|Schema|FilterSet|Admin|TextChoices|IntegerChoices|Choices|Enum|Manager|QuerySet)$/;

function isAbstract(cls: Node): boolean {
  const meta = kids(cls.childForFieldName("body")).find((s) => s.type === "class_definition" && s.childForFieldName("name")?.text === "Meta");
  return meta !== undefined && /\babstract\s*=\s*True\b/.test(meta.text);
}

function modelClass(node: Node): { name: string; skip: boolean } {
  let cls = ancestor(node, "class_definition");
  if (cls?.childForFieldName("name")?.text === "Meta") cls = ancestor(cls, "class_definition");
  if (!cls) return { name: "?", skip: false };
  const bases = kids(cls.childForFieldName("superclasses")).map((b) => b.text);
  return { name: cls.childForFieldName("name")?.text ?? "?", skip: isAbstract(cls) || (bases.length > 0 && bases.every((b) => NOT_MODEL_BASE.test(b))) };
}

/** The schema statements of one side of a models file (empty when it cannot be parsed). */
export function schemaOf(file: FileDiff, side: FileSide, trees: ReviewTrees): SchemaEntry[] {
  const tree = trees.get(file, side);
  const cached = tree && SCHEMAS.get(tree);
  if (cached) return cached;
  const entries = readSchema(file, side, trees);
  if (tree) SCHEMAS.set(tree, entries);
  return entries;
}

/** Per parsed side (rules ask for the same models file many times); keyed by the tree the entries point into, so a freed and re-parsed one is read again. */
const SCHEMAS = new WeakMap<Tree, SchemaEntry[]>();

function readSchema(file: FileDiff, side: FileSide, trees: ReviewTrees): SchemaEntry[] {
  const tree = trees.get(file, side);
  if (!tree) return [];
  const out: SchemaEntry[] = [];
  for (const a of nodesOf(tree.rootNode, "assignment")) {
    const left = a.childForFieldName("left");
    const right = unwrap(a.childForFieldName("right"));
    if (left?.type !== "identifier" || !right) continue;
    const field = right.type === "call" && FIELD_CALL.test(calleeName(right));
    const meta = META_OPTIONS.has(left.text) && ancestor(a, "class_definition")?.childForFieldName("name")?.text === "Meta";
    if (!field && !meta) continue;
    const owner = modelClass(a);
    if (owner.skip) continue;
    out.push({ key: `${owner.name}.${meta ? "Meta." : ""}${left.text}`, form: canonical(right), node: a, call: field ? right : undefined });
  }
  return out;
}

/** Entries whose form differs between the sides, or that exist on one side only. */
export function schemaChanges(file: FileDiff, trees: ReviewTrees): { added: SchemaEntry[]; removed: SchemaEntry[] } {
  const before = schemaOf(file, "old", trees);
  const after = schemaOf(file, "new", trees);
  const forms = (entries: SchemaEntry[]): Set<string> => new Set(entries.map((e) => `${e.key}\0${e.form}`));
  const had = forms(before);
  const has = forms(after);
  return {
    added: after.filter((e) => !had.has(`${e.key}\0${e.form}`)),
    removed: before.filter((e) => !has.has(`${e.key}\0${e.form}`)),
  };
}

/** `null=True` on a field call. */
export function isNullable(call: Node | undefined): boolean {
  return call !== undefined && keywordArg(call, "null")?.text === "True";
}

/** The field of model `model` (any model when "?") named `name` on one side of the app's models files. */
export function fieldOn(files: readonly FileDiff[], side: FileSide, trees: ReviewTrees, model: string, name: string): SchemaEntry | undefined {
  for (const f of files) {
    const hit = schemaOf(f, side, trees).find((e) => e.call && e.key.endsWith(`.${name}`) && (model === "?" || e.key.split(".")[0]?.toLowerCase() === model.toLowerCase() || e.key.startsWith("?.")));
    if (hit) return hit;
  }
  return undefined;
}
