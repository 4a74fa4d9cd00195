/**
 * Django migrations: schema changes that ship without a migration, and migrations
 * that cannot be rolled back or that destroy data. The agent prompt asks for a
 * rollback path with every schema change; these are the cases where there is none.
 */
import type { FileDiff } from "../diff/types.js";
import { appDirOf, isMigration, isModelsFile } from "./paths.js";
import { findCalls, keyword, positional, restOfStatement, type Call } from "./python-expr.js";
import { fileCodeLines, type CodeLine } from "./python-source.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "migrations";

/** Lines that change the database schema when they change: fields, model classes, Meta options. */
const SCHEMA_LINE =
  /^\s*(?:\w+\s*=\s*(?:models\.)?\w*(?:Field|ForeignKey)\s*\(|class\s+\w+\((?=[^)]*\bModel\b)[^)]*\)\s*:|(?:unique_together|index_together|indexes|constraints|db_table)\s*=)/;

/** The first schema statement with a changed line (a field's `max_length=` line counts). */
function firstSchemaLine(lines: readonly CodeLine[]): CodeLine | undefined {
  if (lines.some((l) => /\babstract\s*=\s*True\b/.test(l.code))) return undefined;
  return lines.find((l, at) => {
    if (!SCHEMA_LINE.test(l.code)) return false;
    const span = restOfStatement(lines, at, 0).raw.split("\n").length;
    return lines.slice(at, at + span).some((x) => x.added);
  });
}

const missingMigration: Rule = {
  id: `${FAMILY}/missing-migration`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "Model fields changed without a migration",
  appliesTo: isModelsFile,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    const app = appDirOf(file.path);
    const migrationsDir = app ? `${app}/migrations/` : "migrations/";
    if (ctx.files.some((f) => f.path.startsWith(migrationsDir) && isMigration(f.path))) return [];
    const added = fileCodeLines(file, "new").map(firstSchemaLine).find((l) => l !== undefined);
    // A field that is only removed shows on the old side: comment on the deleted line.
    const removed = added ? undefined : fileCodeLines(file, "old").map(firstSchemaLine).find((l) => l !== undefined);
    const at = added ?? removed;
    if (!at) return [];
    const label = app.slice(app.lastIndexOf("/") + 1) || "<app>";
    return [
      {
        line: at.line,
        side: added ? "RIGHT" : "LEFT",
        title: `Model change in \`${label}\` without a migration`,
        body:
          `This changes the schema of a model in \`${app || "."}\` but the PR adds no file under \`${migrationsDir}\`, ` +
          "so the deployed code will query columns or tables the database does not have. Run " +
          `\`uv run manage.py makemigrations ${label}\`, review and commit it (and make CI run \`makemigrations --check --dry-run\`).`,
      },
    ];
  },
};

function migrationCalls(file: FileDiff, callee: RegExp): Call[] {
  return fileCodeLines(file).flatMap((lines) => findCalls(lines, callee).filter((c) => c.touchesAdded));
}

const noReverse: Rule = {
  id: `${FAMILY}/no-reverse`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "`RunPython`/`RunSQL` without a reverse operation",
  appliesTo: isMigration,
  check: (file) =>
    migrationCalls(file, /\b(RunPython|RunSQL)\s*\(/g).flatMap((call): RuleHit[] => {
      const op = /RunPython|RunSQL/.exec(call.line.code.slice(call.col))?.[0] ?? "RunPython";
      const reverseKw = op === "RunPython" ? "reverse_code" : "reverse_sql";
      if (positional(call).length >= 2 || keyword(call, reverseKw)) return [];
      return [
        {
          line: call.line.line,
          title: `\`${op}\` without \`${reverseKw}\`: migration cannot be rolled back`,
          body:
            `Without \`${reverseKw}\` Django refuses to unapply this migration (\`IrreversibleError\`), so a bad deploy ` +
            `cannot be rolled back past it. Pass a real reverse, or \`${reverseKw}=migrations.${op}.noop\` when undoing ` +
            "needs nothing (say so in a comment).",
        },
      ];
    }),
};

const destructive: Rule = {
  id: `${FAMILY}/destructive-operation`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "Destructive migration (`RemoveField`/`DeleteModel`)",
  appliesTo: isMigration,
  check: (file) =>
    migrationCalls(file, /\b(RemoveField|DeleteModel)\s*\(/g).map((call): RuleHit => {
      const op = /RemoveField|DeleteModel/.exec(call.line.code.slice(call.col))?.[0] ?? "RemoveField";
      return {
        line: call.line.line,
        title: `Destructive migration: \`${op}\` drops data`,
        body:
          `\`${op}\` drops the ${op === "RemoveField" ? "column" : "table"} and its data in every tenant schema. ` +
          "Rollback note: unapplying re-creates it empty, so back up the data first (or copy it in a data migration), " +
          "and deploy in two steps — code that no longer uses it, then this migration — so running instances do not break.",
      };
    }),
};

/** The start of `name = ...` (a model field's definition); `name` is a Python identifier. */
export function definitionPattern(name: string): RegExp {
  return new RegExp(`^\\s*${name}\\s*=`);
}

/** Whether `name`'s definition in the app's models diff had `null=True` (old side) and lost it (new side). */
function nullRemoved(ctx: RuleContext, app: string, name: string): boolean {
  const def = definitionPattern(name);
  const models = ctx.files.filter((f) => isModelsFile(f.path) && appDirOf(f.path) === app);
  const nullable = (side: "new" | "old"): boolean[] =>
    models.flatMap((f) =>
      fileCodeLines(f, side).flatMap((lines) =>
        lines.flatMap((l, at) => {
          if (!def.test(l.code)) return [];
          const stmt = restOfStatement(lines, at, 0);
          const changed = lines.slice(at, at + stmt.raw.split("\n").length).some((x) => x.added);
          return changed ? [/\bnull\s*=\s*True\b/.test(stmt.code)] : [];
        }),
      ),
    );
  return nullable("old").includes(true) && nullable("new").includes(false);
}

const alterNotNull: Rule = {
  id: `${FAMILY}/alter-field-not-null`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "migration",
  title: "`AlterField` makes a column NOT NULL without a default",
  appliesTo: isMigration,
  check(file, ctx) {
    const cut = file.path.lastIndexOf("/migrations/");
    const app = cut >= 0 ? file.path.slice(0, cut) : "";
    return migrationCalls(file, /\bAlterField\s*\(/g).flatMap((call): RuleHit[] => {
      const field = keyword(call, "field") ?? positional(call)[2];
      const nameExpr = keyword(call, "name") ?? positional(call)[1];
      const name = nameExpr && /^\s*["'](\w+)["']\s*$/.exec(nameExpr.raw)?.[1];
      if (!field || !name || /\b(?:null\s*=\s*True|default\s*=)/.test(field.code)) return [];
      if (!nullRemoved(ctx, app, name)) return [];
      return [
        {
          line: call.line.line,
          title: `\`${name}\` becomes NOT NULL without a default`,
          body:
            `\`${name}\` was nullable and this migration makes it NOT NULL with no default: it fails on any existing ` +
            "row holding NULL (in any tenant schema) and locks the table while PostgreSQL checks. Backfill first in a " +
            "`RunPython` with a reverse, or add a `default`. Rollback note: unapplying makes the column nullable again, which is safe.",
        },
      ];
    });
  },
};

/** The migrations family. */
export const MIGRATION_RULES: readonly Rule[] = [missingMigration, noReverse, destructive, alterNotNull];
