/**
 * Migrations that fail or lock on a live PostgreSQL table: NOT NULL without a usable
 * default, index builds that block writes, and type changes that rewrite the table.
 */
import type { FileDiff } from "../diff/types.js";
import { appMigrations, handlesNulls, modelNameOf, operations, operationsBefore, touchedOperations, type Operation } from "./migration-ops.js";
import { fieldOn, isNullable, type SchemaEntry } from "./model-fields.js";
import { appDirOf, isMigration, isModelsFile } from "./paths.js";
import { argument, calleeName, keywordArg, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "migrations";

function touchedOps(file: FileDiff, ctx: RuleContext, op: string): Array<Operation & { line: number }> {
  return touchedOperations(file, ctx.trees, [op]);
}

/** Each touched `AlterField`: the new field, its name, and its definition before the change when the models diff shows it. */
function alteredFields(file: FileDiff, ctx: RuleContext): Array<{ o: Operation & { line: number }; field: Node | undefined; name: string | undefined; before: SchemaEntry | undefined }> {
  const models = modelsOf(file, ctx);
  return touchedOps(file, ctx, "AlterField").map((o) => {
    const name = stringValue(argument(o.call, 1, "name"));
    return { o, field: unwrap(argument(o.call, 2, "field")), name, before: name ? fieldOn(models, "old", ctx.trees, modelNameOf(o), name) : undefined };
  });
}

/** The app's models files in the change. */
function modelsOf(file: FileDiff, ctx: RuleContext): FileDiff[] {
  const byApp = ctx.memo("models-by-app", () => {
    const map = new Map<string, FileDiff[]>();
    for (const f of ctx.files.filter((x) => isModelsFile(x.path))) map.set(appDirOf(f.path), [...(map.get(appDirOf(f.path)) ?? []), f]);
    return map;
  });
  const cut = file.path.lastIndexOf("/migrations/");
  return byApp.get(cut >= 0 ? file.path.slice(0, cut) : "") ?? [];
}

/** The model is created by a migration of this change, so its table is new and empty. */
function createdInChange(o: Operation, ctx: RuleContext): boolean {
  const model = modelNameOf(o);
  return appMigrations(o.file, ctx).some((f) => operations(f, ctx.trees).some((c) => c.op === "CreateModel" && modelNameOf(c) === model));
}

/** A default that fills existing rows: given, and not `None`. `db_default` counts. */
function usableDefault(field: ReturnType<typeof unwrap>): boolean {
  if (!field || field.type !== "call") return true;
  const d = keywordArg(field, "default");
  return (d !== undefined && d.text !== "None") || keywordArg(field, "db_default") !== undefined;
}

const alterNotNull: Rule = {
  id: `${FAMILY}/alter-field-not-null`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "migration",
  title: "`AlterField` makes a column NOT NULL without a default",
  appliesTo: isMigration,
  check(file, ctx) {
    return alteredFields(file, ctx).flatMap(({ o, field, name, before }): RuleHit[] => {
      // Known nullable before: the models diff shows `null=True` going away.
      if (!field || !name || isNullable(field) || usableDefault(field) || !before || !isNullable(before.call)) return [];
      if (operationsBefore(o, ctx).some((p) => handlesNulls(p, name))) return [];
      return [
        {
          line: o.line,
          title: `\`${name}\` becomes NOT NULL without a default`,
          body:
            `\`${name}\` was nullable and this migration makes it NOT NULL with no default: it fails on any existing ` +
            `row holding NULL${ctx.facts.tenantsInstalled?.value ? " (in any tenant schema)" : ""} and locks the table while PostgreSQL checks. ` +
            "Backfill first in a `RunPython` with a reverse (no earlier operation in this change fills or deletes them), or add a `default`. " +
            "Rollback note: unapplying makes the column nullable again, which is safe.",
        },
      ];
    });
  },
};

/** Field classes with no column, or with a value PostgreSQL or Django fills itself. */
const NO_FILL_NEEDED = /^(?:ManyToManyField|GeneratedField|AutoField|BigAutoField|SmallAutoField)$/;

const addNotNull: Rule = {
  id: `${FAMILY}/add-field-not-null`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "migration",
  title: "`AddField` adds a NOT NULL column without a usable default",
  appliesTo: isMigration,
  check: (file, ctx) =>
    touchedOps(file, ctx, "AddField").flatMap((o): RuleHit[] => {
      const field = unwrap(argument(o.call, 2, "field"));
      const name = stringValue(argument(o.call, 1, "name")) ?? "field";
      if (field?.type !== "call" || NO_FILL_NEEDED.test(calleeName(field)) || isNullable(field) || usableDefault(field)) return [];
      if (createdInChange(o, ctx)) return [];
      const none = keywordArg(field, "default")?.text === "None";
      return [
        {
          line: o.line,
          title: `\`${name}\` is added NOT NULL with ${none ? "`default=None`" : "no default"}`,
          body:
            `Adding \`${name}\` as NOT NULL ${none ? "with `default=None`" : "without a default"} fails with an integrity error on a ` +
            "table that has rows (PostgreSQL cannot fill the existing rows). Add it with `null=True`, backfill in a `RunPython`, " +
            "then make it NOT NULL in a later migration; or give it a real `default` (`db_default` keeps it in the database).",
        },
      ];
    }),
};

const addIndex: Rule = {
  id: `${FAMILY}/add-index-not-concurrent`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "`AddIndex` on an existing table blocks writes",
  appliesTo: isMigration,
  check: (file, ctx) =>
    touchedOps(file, ctx, "AddIndex").flatMap((o): RuleHit[] => {
      if (createdInChange(o, ctx)) return [];
      return [
        {
          line: o.line,
          title: `\`AddIndex\` on \`${modelNameOf(o)}\` locks the table for writes`,
          body:
            "`AddIndex` runs `CREATE INDEX`, which blocks every INSERT, UPDATE and DELETE on the table until the index is " +
            "built — minutes on a large table. Use `AddIndexConcurrently` from `django.contrib.postgres.operations` " +
            "in a migration with `atomic = False` (and `RemoveIndexConcurrently` for the reverse).",
        },
      ];
    }),
};

/** PostgreSQL column type of a field class; classes of one family convert without a rewrite. */
const COLUMN: Record<string, string> = {
  CharField: "varchar", EmailField: "varchar", SlugField: "varchar", URLField: "varchar", TextField: "text",
  SmallIntegerField: "smallint", PositiveSmallIntegerField: "smallint", IntegerField: "integer", PositiveIntegerField: "integer",
  BigIntegerField: "bigint", PositiveBigIntegerField: "bigint", FloatField: "double", DecimalField: "numeric",
  DateTimeField: "timestamptz", DateField: "date", TimeField: "time", BooleanField: "boolean", JSONField: "jsonb", UUIDField: "uuid",
};

const typeRewrite: Rule = {
  id: `${FAMILY}/column-type-rewrite`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "Column type change rewrites the table",
  appliesTo: isMigration,
  check(file, ctx) {
    return alteredFields(file, ctx).flatMap(({ o, field, name, before }): RuleHit[] => {
      const from = before?.call ? COLUMN[calleeName(before.call)] : undefined;
      const to = field?.type === "call" ? COLUMN[calleeName(field)] : undefined;
      // varchar → text is binary-compatible in PostgreSQL: no rewrite.
      if (!from || !to || from === to || (from === "varchar" && to === "text")) return [];
      return [
        {
          line: o.line,
          title: `\`${name}\` changes from ${from} to ${to}: the table is rewritten`,
          body:
            `Changing \`${name}\` from \`${from}\` to \`${to}\` makes PostgreSQL rewrite the whole table (and its indexes) under ` +
            "an ACCESS EXCLUSIVE lock: no reads or writes until it finishes. On a large table add a new column, backfill it in " +
            "batches, switch the code over, then drop the old column.",
        },
      ];
    });
  },
};

/** PostgreSQL hazards of migrations. */
export const MIGRATION_SAFETY_RULES: readonly Rule[] = [alterNotNull, addNotNull, addIndex, typeRewrite];
