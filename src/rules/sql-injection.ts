/**
 * SQL built by string formatting and handed to a raw-SQL API. Django escapes
 * values only when they travel as parameters (`%s` + params), never inside the
 * query text, so formatting data into the text is the injection.
 */
import { commentableLines, hunkOf } from "../diff/commentable-lines.js";
import type { FileDiff } from "../diff/types.js";
import { isManagementCommand, isMigration, isPython } from "./paths.js";
import { callsTo, formattedVariable, isDynamicString, touchedCallLine, touchedCalls } from "./python-calls.js";
import { argument, calleeName, keywordArg, lineOf, nodesOf, positionalArgs, touchedLine, unwrap, type Node } from "./python-tree.js";
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
      if (!query || !isDynamicString(query) || isDdl(query)) return [];
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
      if (!variable || line === undefined) return [];
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
