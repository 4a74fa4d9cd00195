/**
 * Python syntax trees for the rules (tree-sitter, through its WebAssembly build so
 * nothing native has to compile on Node 20 or 24). A rule reads the tree of one side
 * of a file — the full file when the caller has it, else the hunks' lines put back at
 * their line numbers (tree-sitter recovers from the gaps) — and maps nodes back to
 * the diff's lines, so it compares what the code means, not how it is written.
 *
 * The grammar loads once, at import (top-level await), so `runRules` stays synchronous.
 */
import { createRequire } from "node:module";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import type { FileDiff } from "../diff/types.js";

export type { Node, Tree } from "web-tree-sitter";

await Parser.init();
const PYTHON = await Language.load(createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm"));
const PARSER = new Parser();
PARSER.setLanguage(PYTHON);

/**
 * Larger sources are not parsed: past this a file is generated or data (a Django
 * module is rarely over 200 kB), and parse time and wasm memory grow with it.
 */
export const MAX_PARSE_CHARS = 1_000_000;
/** Nor a side whose last line number is past this (the reconstruction pads the gaps). */
export const MAX_PARSE_LINES = 50_000;
/** tree-sitter gives up after this long per file instead of stalling a review. */
const PARSE_TIMEOUT_MS = 500;

/** Recursion bound of the tree walks here and in the rules: real code nests far less, crafted input far more. */
export const MAX_DEPTH = 40;

/** One side of a file: the new file (added + context lines) or the old one (deleted + context). */
export type FileSide = "new" | "old";

/** The full text of a file on each side, when the caller has it (a snapshot, the CLI's checkout). */
export interface FileSources {
  head?: string | undefined;
  base?: string | undefined;
}

/** The hunks' lines of one side at their line numbers, other lines empty; undefined when over the caps. */
export function hunkText(file: FileDiff, side: FileSide): string | undefined {
  const lines: string[] = [];
  let chars = 0;
  for (const hunk of file.hunks) {
    for (const l of hunk.lines) {
      const n = side === "new" ? (l.kind === "del" ? undefined : l.newLine) : l.kind === "add" ? undefined : l.oldLine;
      if (n === undefined) continue;
      if (n > MAX_PARSE_LINES || (chars += l.text.length + 1) > MAX_PARSE_CHARS) return undefined;
      while (lines.length < n - 1) lines.push("");
      lines[n - 1] = l.text;
    }
  }
  return lines.join("\n");
}

/** Parses Python source; undefined when it is over the caps or tree-sitter gives up. */
export function parsePython(source: string): Tree | undefined {
  if (source.length > MAX_PARSE_CHARS) return undefined;
  const deadline = performance.now() + PARSE_TIMEOUT_MS;
  const tree = PARSER.parse(source, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) PARSER.reset();
  return tree ?? undefined;
}

/**
 * The trees of one review. Every rule asks for the same files' trees: each side is
 * parsed once, and {@link dispose} frees the wasm memory when the rules are done
 * (tree-sitter trees are not garbage-collected).
 */
export class ReviewTrees {
  private readonly trees = new Map<FileDiff, Partial<Record<FileSide, Tree | null>>>();

  constructor(private readonly sources: ReadonlyMap<string, FileSources> = new Map()) {}

  /** The tree of `file`'s `side`, or undefined (removed/added side, over the caps, not Python). */
  get(file: FileDiff, side: FileSide = "new"): Tree | undefined {
    const entry = this.trees.get(file) ?? {};
    if (entry[side] !== undefined) return entry[side] ?? undefined;
    const absent = side === "new" ? file.status === "removed" : file.status === "added";
    const full = this.sources.get(side === "new" ? file.path : (file.previousPath ?? file.path));
    const text = absent ? undefined : ((side === "new" ? full?.head : full?.base) ?? hunkText(file, side));
    const tree = text === undefined ? undefined : parsePython(text);
    entry[side] = tree ?? null;
    this.trees.set(file, entry);
    return tree;
  }

  /**
   * Frees the trees of every file `keep` rejects; they parse again if asked for. A tree's
   * wasm memory is never returned to the process, only reused: freeing each file's trees
   * once its rules ran keeps a review's memory at its largest file instead of the sum of
   * all of them (a 400-file review: +73 MB held otherwise). A node of a freed tree must not
   * be read again: what outlives a file's turn (memos, caches) is plain data, or is keyed
   * by the {@link Tree} it came from.
   */
  release(keep: (file: FileDiff) => boolean): void {
    for (const [file, entry] of this.trees) {
      if (keep(file)) continue;
      for (const t of Object.values(entry)) t?.delete();
      this.trees.delete(file);
    }
  }

  /** Frees every tree; the object stays usable (it parses again on demand). */
  dispose(): void {
    for (const entry of this.trees.values()) for (const t of Object.values(entry)) t?.delete();
    this.trees.clear();
  }
}

/** 1-based line of a node's first row. */
export const lineOf = (node: Node): number => node.startPosition.row + 1;

/** The first child of a node with one of `types` (skips comments and punctuation). */
export function child(node: Node | null | undefined, ...types: string[]): Node | undefined {
  return node?.namedChildren.find((c): c is Node => c !== null && types.includes(c.type));
}

/** Named children, without the nulls the binding's type allows. */
export function kids(node: Node | null | undefined): Node[] {
  return (node?.namedChildren ?? []).filter((c): c is Node => c !== null);
}

/** Strips parentheses: `("a" "b")` is the concatenated string inside. */
export function unwrap(node: Node | null | undefined): Node | undefined {
  let n = node ?? undefined;
  while (n?.type === "parenthesized_expression") n = kids(n)[0];
  return n;
}

/**
 * The value of a string constant after implicit concatenation (`"a" "b"` → `ab`),
 * escapes kept as written; undefined for an f-string with a placeholder or a non-string.
 */
export function stringValue(node: Node | null | undefined): string | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  if (n.type === "concatenated_string") {
    const parts = kids(n).map((c) => (c.type === "string" ? stringValue(c) : undefined));
    return parts.every((p) => p !== undefined) ? parts.join("") : undefined;
  }
  if (n.type !== "string") return undefined;
  let out = "";
  for (const c of kids(n)) {
    if (c.type === "interpolation") return undefined;
    if (c.type === "string_content" || c.type === "escape_sequence") out += c.text;
  }
  return out;
}

/** A call's callee as written without spaces (`models.CharField`, `migrations.RunPython`). */
export function calleeText(call: Node): string {
  return (call.childForFieldName("function")?.text ?? "").replace(/\s+/g, "");
}

/** The last name of a dotted callee (`CharField`). */
export function calleeName(call: Node): string {
  return calleeText(call).split(".").pop() ?? "";
}

/** A call's positional arguments, in order. */
export function positionalArgs(call: Node): Node[] {
  return kids(call.childForFieldName("arguments")).filter((a) => a.type !== "keyword_argument" && a.type !== "comment");
}

/** The value of keyword argument `name`. */
export function keywordArg(call: Node, name: string): Node | undefined {
  const kw = kids(call.childForFieldName("arguments")).find((a) => a.type === "keyword_argument" && a.childForFieldName("name")?.text === name);
  return kw?.childForFieldName("value") ?? undefined;
}

/** Argument `index` given by position or as keyword `name`. */
export function argument(call: Node, index: number, name: string): Node | undefined {
  return keywordArg(call, name) ?? positionalArgs(call)[index];
}

/**
 * A form of an expression that ignores layout, comments, quoting, implicit
 * concatenation and keyword order: two expressions Django would deconstruct the
 * same way get the same form. `"app.Model"` and `Model` compare equal as a
 * relation's target (the first argument of a relation field).
 */
export function canonical(node: Node | null | undefined, depth = 0): string {
  const n = unwrap(node);
  if (!n) return "";
  // Field definitions nest a few levels; past this compare the text, without recursing (stack).
  if (depth > MAX_DEPTH) return n.text;
  const value = stringValue(n);
  if (value !== undefined) return JSON.stringify(value);
  if (n.type === "call") {
    const args = kids(n.childForFieldName("arguments")).filter((a) => a.type !== "comment");
    const pos = args.filter((a) => a.type !== "keyword_argument").map((a, i) => (i === 0 && /ForeignKey|OneToOneField|ManyToManyField/.test(calleeName(n)) ? relationTarget(a) : canonical(a, depth + 1)));
    const kw = args
      .filter((a) => a.type === "keyword_argument")
      .map((a) => `${a.childForFieldName("name")?.text ?? ""}=${a.childForFieldName("name")?.text === "to" ? relationTarget(a.childForFieldName("value")) : canonical(a.childForFieldName("value"), depth + 1)}`)
      .sort();
    return `${calleeName(n)}(${[...pos, ...kw].join(",")})`;
  }
  if (n.childCount === 0) return n.text;
  return `${n.type}(${kids(n).filter((c) => c.type !== "comment").map((c) => canonical(c, depth + 1)).join(",")})`;
}

/** `"billing.Invoice"`, `Invoice` and `billing.models.Invoice` all name the model `invoice`. */
function relationTarget(node: Node | null | undefined): string {
  const value = stringValue(node) ?? unwrap(node)?.text ?? "";
  return `@${(value.split(".").pop() ?? value).toLowerCase()}`;
}

/** Nodes of `types` under `root`, in source order. */
export function nodesOf(root: Node | null | undefined, types: string | string[]): Node[] {
  if (!root) return [];
  return root.descendantsOfType(types).filter((n): n is Node => n !== null);
}

/** The nearest enclosing node of one of `types`. */
export function ancestor(node: Node, ...types: string[]): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (types.includes(p.type)) return p;
  return undefined;
}
