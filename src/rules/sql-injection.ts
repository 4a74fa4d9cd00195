/**
 * SQL built by string formatting and handed to a raw-SQL API. Django escapes
 * values only when they travel as parameters (`%s` + params), never inside the
 * query text, so formatting data into the text is the injection.
 */
import { commentableLines, hunkOf } from "../diff/commentable-lines.js";
import type { FileDiff } from "../diff/types.js";
import { isManagementCommand, isMigration, isPython } from "./paths.js";
import { assignmentsTo, callsTo, formattedVariable, isConstantString, isDynamicString, touchedCallLine, touchedCalls } from "./python-calls.js";
import { touchedLine } from "./diff-lines.js";
import { MAX_DEPTH, argument, calleeName, keywordArg, kids, lineOf, nodesOf, positionalArgs, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "sql-injection";

/** Raw-SQL entry points whose first argument is the query text (`cursor.execute`, `Model.objects.raw`, `RawSQL`). */
const QUERY_FIRST = /\.(?:execute|executemany|raw)$|^RawSQL$/;
const MENTION = /execute|raw|RawSQL/i;

const FIX =
  "Keep the query text constant and pass values as parameters: `cursor.execute(\"... WHERE id = %s\", [value])`, " +
  "`Model.objects.raw(\"... %s\", [value])`, `RawSQL(\"... %s\", (value,))`, or use the ORM. Identifiers " +
  "(table or column names) cannot be parameters: pick them from a fixed allow-list.";

/**
 * DDL and session statements name schemas, tables and roles, which SQL cannot
 * take as parameters: formatting is the only way to write them (django-pgschemas'
 * `CREATE SCHEMA %s`), so the "use params" advice does not apply.
 */
const DDL = /^\s*[rRbBuUfF]{0,2}(?:"""|'''|"|')\s*(?:CREATE|DROP|ALTER|SET\s+search_path|TRUNCATE|GRANT|REVOKE|COMMENT\s+ON|LOCK)\b/i;

/** The query text starts with a DDL or session keyword (its first string, when the expression starts with one). */
function isDdl(query: Node): boolean {
  const first = nodesOf(query, "string")[0];
  return first !== undefined && first.startIndex === unwrap(query)?.startIndex && DDL.test(first.text);
}

/**
 * What a formatted string fills in: an f-string's placeholders, the right of `%`
 * (a tuple's items, a dict's values), `.format()`'s arguments, the non-constant
 * operands of `+`. Anything else is its own value.
 */
function filledIn(node: Node | null | undefined, depth = 0): Node[] {
  const n = unwrap(node);
  if (!n) return [];
  if (depth > MAX_DEPTH || isConstantString(n)) return depth > MAX_DEPTH ? [n] : [];
  const next = (c: Node | null | undefined): Node[] => filledIn(c, depth + 1);
  const items = (c: Node | null | undefined): Node[] => {
    const u = unwrap(c);
    if (u?.type === "tuple") return kids(u);
    if (u?.type === "dictionary") return kids(u).map((p) => p.childForFieldName("value") ?? p);
    return u ? [u] : [];
  };
  if (n.type === "string") return kids(n).filter((c) => c.type === "interpolation").map((c) => c.childForFieldName("expression") ?? kids(c)[0] ?? c);
  if (n.type === "concatenated_string") return kids(n).flatMap(next);
  if (n.type === "call" && calleeName(n) === "format") {
    const args = kids(n.childForFieldName("arguments")).map((a) => (a.type === "keyword_argument" ? (a.childForFieldName("value") ?? a) : a));
    return [...next(n.childForFieldName("function")?.childForFieldName("object")), ...args];
  }
  const op = n.type === "binary_operator" ? n.childForFieldName("operator")?.type : undefined;
  if (op === "%") return [...(isDynamicString(n.childForFieldName("left")) ? next(n.childForFieldName("left")) : []), ...items(n.childForFieldName("right"))];
  if (op === "+") return [n.childForFieldName("left"), n.childForFieldName("right")].flatMap(next);
  return [n];
}

/** Calls whose result is safe inside SQL text: a quoted identifier, a number. */
const SQL_SAFE_CALL = /^(?:quote_name|int|len)$/;

/**
 * A value that cannot carry a visitor's SQL: a constant, a number, a quoted
 * identifier (`connection.ops.quote_name(name)`), a model's table name
 * (`Model._meta.db_table`), or a list of `%s` placeholders for the params
 * (`", ".join(["%s"] * len(ids))`).
 */
function isSqlSafe(node: Node | null, follow = true): boolean {
  const n = unwrap(node);
  if (!n) return false;
  if (["integer", "float", "none", "true", "false"].includes(n.type) || isConstantString(n)) return true;
  // `placeholders = ", ".join(...)` a few lines up: one level, so a chain of names stays linear.
  if (n.type === "identifier") {
    const assigned = follow ? assignmentsTo(n.text, n) : undefined;
    return assigned !== undefined && assigned.every((a) => a.type === "assignment" && isSqlSafe(a.childForFieldName("right"), false));
  }
  if (n.type === "attribute") return /(?:^|\.)_meta\.db_table$/.test(n.text.replace(/\s+/g, ""));
  if (n.type !== "call") return false;
  if (SQL_SAFE_CALL.test(calleeName(n))) return true;
  const strings = nodesOf(n.childForFieldName("arguments"), "string");
  return calleeName(n) === "join" && isConstantString(n.childForFieldName("function")?.childForFieldName("object")) && strings.length > 0 && strings.every((x) => /^\s*%s\s*$/.test(stringValue(x) ?? ""));
}

/** Formatted SQL whose every filled-in value is {@link isSqlSafe}: identifiers and placeholders, not data. */
function fillsOnlySafeValues(query: Node | null | undefined): boolean {
  const values = filledIn(query);
  return values.length > 0 && values.every((v) => isSqlSafe(v));
}

/** `.extra()` arguments that are SQL text; `params=`/`select_params=` are values, escaped by Django. */
const EXTRA_SQL: ReadonlyArray<[number, string]> = [[0, "select"], [1, "where"], [3, "tables"], [4, "order_by"]];

/** A formatted string anywhere in `node` (a list of `where` clauses, a dict of `select` expressions). */
function containsDynamic(node: Node | undefined): boolean {
  return node !== undefined && [node, ...nodesOf(node, ["string", "binary_operator", "call"])].some((n) => isDynamicString(n));
}

const rawFormat: Rule = {
  id: `${FAMILY}/raw-format`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "SQL text built with string formatting",
  // Migrations and management commands run on the server with no request in reach: their SQL is built from metadata and operator input.
  appliesTo: (path) => isPython(path) && !isMigration(path) && !isManagementCommand(path),
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const queries = touchedCalls(file, ctx.trees, MENTION, QUERY_FIRST).flatMap(({ call, line }): RuleHit[] => {
      const query = positionalArgs(call)[0] ?? keywordArg(call, "sql") ?? keywordArg(call, "raw_query");
      if (!query || !isDynamicString(query) || isDdl(query) || fillsOnlySafeValues(query)) return [];
      const fn = calleeName(call);
      return [
        {
          line,
          title: `SQL injection: query for \`${fn}()\` built with string formatting`,
          body: `The query text passed to \`${fn}()\` is built with an f-string, \`%\`, \`.format()\` or \`+\`, so a quote in the data ends the SQL string and the rest runs as SQL. ${FIX}`,
        },
      ];
    });
    const extras = touchedCalls(file, ctx.trees, /\.extra\b/, /\.extra$/).flatMap(({ call, line }): RuleHit[] =>
      EXTRA_SQL.some(([i, name]) => containsDynamic(argument(call, i, name)))
        ? [
            {
              line,
              title: "SQL injection: `.extra()` clause built with string formatting",
              body: "A `where`/`select` clause of `.extra()` is built with string formatting, so the data becomes SQL. Pass values through `params=[...]` with `%s` placeholders, or better replace `.extra()`, which Django documents as a last resort, with the ORM or `RawSQL(sql, params)`.",
            },
          ]
        : [],
    );
    return [...queries, ...extras];
  },
};

/**
 * Where to report a query variable run by `call`: the call's line when the change
 * touched the call, or when it touched the line that formatted the variable and the
 * call is in a hunk (`sql = f"..."` added above an unchanged `cursor.execute(sql)`).
 */
function variableLine(call: Node, built: Node, file: FileDiff): number | undefined {
  const touched = touchedCallLine(call, file);
  if (touched !== undefined || touchedLine(built, file) === undefined) return touched;
  const line = lineOf(call.childForFieldName("arguments") ?? call);
  return hunkOf(commentableLines(file), "RIGHT", line) === undefined ? undefined : line;
}

const rawVariable: Rule = {
  id: `${FAMILY}/raw-variable`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "SQL text built with string formatting, then executed without params",
  // Migrations and management commands run on the server with no request in reach: their SQL is built from metadata and operator input.
  appliesTo: (path) => isPython(path) && !isMigration(path) && !isManagementCommand(path),
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    return callsTo(file, ctx.trees, MENTION, QUERY_FIRST).flatMap((call): RuleHit[] => {
      const [query, params] = positionalArgs(call);
      const variable = params || keywordArg(call, "params") ? undefined : formattedVariable(query);
      const line = variable && variableLine(call, variable.built, file);
      // Only a single `=` is judged by what it fills in: a `+=` may add to data formatted earlier.
      if (!variable || line === undefined || (variable.built.type === "assignment" && fillsOnlySafeValues(variable.built.childForFieldName("right")))) return [];
      const fn = calleeName(call);
      return [
        {
          line,
          title: `SQL injection: \`${variable.name}\` is formatted SQL, run by \`${fn}()\``,
          body: `\`${variable.name}\` is built with string formatting on line ${lineOf(variable.built)} and executed here without parameters, so the interpolated data becomes SQL. ${FIX}`,
        },
      ];
    });
  },
};

/** The SQL-injection family. */
export const SQL_INJECTION_RULES: readonly Rule[] = [rawFormat, rawVariable];
