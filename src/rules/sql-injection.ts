/**
 * SQL built by string formatting and handed to a raw-SQL API. Django escapes
 * values only when they travel as parameters (`%s` + params), never inside the
 * query text, so formatting data into the text is the injection.
 */
import type { FileDiff } from "../diff/types.js";
import { isManagementCommand, isMigration, isPython } from "./paths.js";
import { bareName, findCalls, isDynamicString, keyword, positional, restOfStatement, type Call } from "./python-expr.js";
import { fileCodeLines, type CodeLine } from "./python-source.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "sql-injection";

/** Raw-SQL entry points whose first argument is the query text. */
const QUERY_FIRST = /(?:\.(?:execute|executemany|raw)|(?<![\w.])RawSQL)\s*\(/g;
const EXTRA = /\.extra\s*\(/g;

const FIX =
  "Keep the query text constant and pass values as parameters: `cursor.execute(\"... WHERE id = %s\", [value])`, " +
  "`Model.objects.raw(\"... %s\", [value])`, `RawSQL(\"... %s\", (value,))`, or use the ORM. Identifiers " +
  "(table or column names) cannot be parameters: pick them from a fixed allow-list.";

function calleeName(call: Call): string {
  return /(executemany|execute|raw|RawSQL|extra)\s*\(/.exec(call.line.code.slice(call.col))?.[1] ?? "execute";
}

/**
 * DDL and session statements name schemas, tables and roles, which SQL cannot
 * take as parameters: formatting is the only way to write them (django-pgschemas'
 * `CREATE SCHEMA %s`), so the "use params" advice does not apply.
 */
const DDL = /^\s*[rRbBuUfF]{0,2}(?:"""|'''|"|')\s*(?:CREATE|DROP|ALTER|SET\s+search_path|TRUNCATE|GRANT|REVOKE|COMMENT\s+ON|LOCK)\b/i;

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
    const hits: RuleHit[] = [];
    for (const lines of fileCodeLines(file, ctx.trees)) {
      for (const call of findCalls(lines, QUERY_FIRST)) {
        const query = positional(call)[0] ?? keyword(call, "sql") ?? keyword(call, "raw_query");
        if (!call.touchesAdded || !query || !isDynamicString(query) || DDL.test(query.raw)) continue;
        hits.push({
          line: call.line.line,
          title: `SQL injection: query for \`${calleeName(call)}()\` built with string formatting`,
          body: `The query text passed to \`${calleeName(call)}()\` is built with an f-string, \`%\`, \`.format()\` or \`+\`, so a quote in the data ends the SQL string and the rest runs as SQL. ${FIX}`,
        });
      }
      for (const call of findCalls(lines, EXTRA)) {
        if (!call.touchesAdded || !isDynamicString(call.inner)) continue;
        hits.push({
          line: call.line.line,
          title: "SQL injection: `.extra()` clause built with string formatting",
          body: `A \`where\`/\`select\` clause of \`.extra()\` is built with string formatting, so the data becomes SQL. Pass values through \`params=[...]\` with \`%s\` placeholders, or better replace \`.extra()\`, which Django documents as a last resort, with the ORM or \`RawSQL(sql, params)\`.`,
        });
      }
    }
    return hits;
  },
};

/**
 * Variables holding a dynamically built string at the end of `lines`, with the
 * line that built them (`sql = f"..."`, or `+=` onto such a variable).
 */
function dynamicAssignments(lines: readonly CodeLine[]): Map<string, CodeLine> {
  const built = new Map<string, CodeLine>();
  lines.forEach((line, index) => {
    const m = /^\s*([A-Za-z_]\w*)\s*(\+?=)(?!=)\s*/.exec(line.code);
    if (!m?.[1]) return;
    const rhs = restOfStatement(lines, index, m[0].length);
    const appended = m[2] === "+=" && !/^\s*$/.test(rhs.code);
    if (isDynamicString(rhs) || (appended && built.has(m[1]))) built.set(m[1], line);
    else if (m[2] === "=") built.delete(m[1]);
  });
  return built;
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
    const hits: RuleHit[] = [];
    for (const lines of fileCodeLines(file, ctx.trees)) {
      for (const call of findCalls(lines, QUERY_FIRST)) {
        const [query, params] = positional(call);
        const name = query && bareName(query);
        if (!name || params || keyword(call, "params")) continue;
        const built = dynamicAssignments(lines.slice(0, call.at)).get(name);
        if (!built || !(call.touchesAdded || built.added)) continue;
        hits.push({
          line: call.line.line,
          title: `SQL injection: \`${name}\` is formatted SQL, run by \`${calleeName(call)}()\``,
          body: `\`${name}\` is built with string formatting on line ${built.line} and executed here without parameters, so the interpolated data becomes SQL. ${FIX}`,
        });
      }
    }
    return hits;
  },
};

/** The SQL-injection family. */
export const SQL_INJECTION_RULES: readonly Rule[] = [rawFormat, rawVariable];
