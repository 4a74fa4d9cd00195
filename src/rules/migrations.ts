/**
 * Django migrations: schema changes that ship without a migration, and migrations
 * that cannot be rolled back or that destroy data. The agent prompt asks for a
 * rollback path with every schema change; these are the cases where there is none.
 * PostgreSQL locking and rewrite hazards live in migration-safety.ts.
 */
import type { FileDiff } from "../diff/types.js";
import { MIGRATION_SAFETY_RULES } from "./migration-safety.js";
import { destroysRows, isNoop, modelNameOf, operations, operationsBefore, touchedOperations, type Operation } from "./migration-ops.js";
import { fieldOn, schemaChanges } from "./model-fields.js";
import { appDirOf, isMigration, isModelsFile, isPython } from "./paths.js";
import { changedLines, touchedLine } from "./diff-lines.js";
import { argument, nodesOf, stringValue } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "migrations";

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
    // Compared by meaning: a reformatted field, joined literals or `"app.Model"` for `Model` change no schema.
    const { added, removed } = schemaChanges(file, ctx.trees);
    const onNew = added.map((e) => touchedLine(e.node, file, "new")).find((l) => l !== undefined);
    const onOld = onNew === undefined ? removed.map((e) => touchedLine(e.node, file, "old")).find((l) => l !== undefined) : undefined;
    const line = onNew ?? onOld;
    if (line === undefined) return [];
    const label = app.slice(app.lastIndexOf("/") + 1) || "<app>";
    return [
      {
        line,
        side: onNew !== undefined ? "RIGHT" : "LEFT",
        title: `Model change in \`${label}\` without a migration`,
        body:
          `This changes the schema of a model in \`${app || "."}\` but the PR adds no file under \`${migrationsDir}\`, ` +
          "so the deployed code will query columns or tables the database does not have. Run " +
          `\`uv run manage.py makemigrations ${label}\`, review and commit it (and make CI run \`makemigrations --check --dry-run\`).`,
      },
    ];
  },
};

/**
 * A squashed migration (`replaces = [...]`) replays history that every existing
 * database has already applied: its drops and data steps are not new work.
 */
function isSquashed(file: FileDiff, ctx: RuleContext): boolean {
  // `[ \t]`, not `\s`: a `\s+` after `^` in multiline mode spans lines and backtracks quadratically on blank lines.
  return /^[ \t]+replaces[ \t]*=/m.test(ctx.trees.get(file, "new")?.rootNode.text ?? "");
}

const touched = (file: FileDiff, ctx: RuleContext, ops: readonly string[]): Array<Operation & { line: number }> =>
  isSquashed(file, ctx) ? [] : touchedOperations(file, ctx.trees, ops);

/**
 * The data a drop loses was dealt with earlier in the change: a data step
 * (`RunPython`/`RunSQL`) ran before it in the same migration, or the change
 * itself created the model or the field (nothing deployed holds data in it).
 */
function dataHandled(o: Operation, ctx: RuleContext): boolean {
  const model = modelNameOf(o);
  const name = stringValue(argument(o.call, 1, "name"))?.toLowerCase();
  return operationsBefore(o, ctx).some(
    (b) =>
      (b.file === o.file && (b.op === "RunPython" || b.op === "RunSQL")) ||
      (b.op === "CreateModel" && modelNameOf(b) === model) ||
      (b.op === "AddField" && modelNameOf(b) === model && stringValue(argument(b.call, 1, "name"))?.toLowerCase() === name),
  );
}

const reverseKw = (op: string): string => (op === "RunPython" ? "reverse_code" : "reverse_sql");

const noReverse: Rule = {
  id: `${FAMILY}/no-reverse`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "`RunPython`/`RunSQL` without a reverse operation",
  appliesTo: isMigration,
  check: (file, ctx) =>
    touched(file, ctx, ["RunPython", "RunSQL"]).flatMap((o): RuleHit[] => {
      if (argument(o.call, 1, reverseKw(o.op))) return [];
      return [
        {
          line: o.line,
          title: `\`${o.op}\` without \`${reverseKw(o.op)}\`: migration cannot be rolled back`,
          body:
            `Without \`${reverseKw(o.op)}\` Django refuses to unapply this migration (\`IrreversibleError\`), so a bad deploy ` +
            `cannot be rolled back past it. Pass a real reverse, or \`${reverseKw(o.op)}=migrations.${o.op}.noop\` when undoing ` +
            "needs nothing (say so in a comment).",
        },
      ];
    }),
};

const noopReverse: Rule = {
  id: `${FAMILY}/noop-reverse-after-destructive`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "migration",
  title: "Data migration deletes or overwrites rows; its reverse does nothing",
  appliesTo: isMigration,
  check: (file, ctx) =>
    touched(file, ctx, ["RunPython", "RunSQL"]).flatMap((o): RuleHit[] => {
      if (!destroysRows(o) || !isNoop(o, argument(o.call, 1, reverseKw(o.op)))) return [];
      return [
        {
          line: o.line,
          title: `\`${o.op}\` destroys rows but its reverse is a no-op`,
          body:
            `The forward step deletes or overwrites rows, and the reverse does nothing, so unapplying "succeeds" with the ` +
            "data gone: a rollback looks clean and is not. Copy the rows aside first (a backup table, or the old values in a " +
            "column) and restore them in the reverse, or let the reverse raise so nobody believes the rollback restored them.",
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
  check: (file, ctx) =>
    touched(file, ctx, ["RemoveField", "DeleteModel"]).filter((o) => !dataHandled(o, ctx)).map(
      (o): RuleHit => ({
        line: o.line,
        title: `Destructive migration: \`${o.op}\` drops data`,
        body:
          `\`${o.op}\` drops the ${o.op === "RemoveField" ? "column" : "table"} and its data${ctx.facts.tenantsInstalled?.value ? " in every tenant schema" : ""}. ` +
          "Rollback note: unapplying re-creates it empty, so back up the data first (or copy it in a data migration), " +
          "and deploy in two steps — code that no longer uses it, then this migration — so running instances do not break.",
      }),
    ),
};

/**
 * Where lines added in the change's other Python files use each name: `obj.name`,
 * `name__…=` and `"name__…"` lookups. Built once per review, and only when
 * a migration drops a field, per app.
 */
function references(app: string, ctx: RuleContext): Map<string, { path: string; line: number }> {
  return ctx.memo(`field-references:${app}`, () => {
    const refs = new Map<string, { path: string; line: number }>();
    for (const f of ctx.files) {
      // The app's own code: a same-named attribute elsewhere is most often another model's.
      if (!f.path.startsWith(`${app}/`) || !isPython(f.path) || isMigration(f.path) || f.status === "removed" || ctx.isTest(f.path)) continue;
      const changed = changedLines(f);
      for (const n of nodesOf(ctx.trees.get(f, "new")?.rootNode, ["attribute", "keyword_argument", "string"])) {
        if (!changed.has(n.startPosition.row + 1)) continue;
        // `obj.filter(` is a method call, not a field read; `"name"` alone is any string, `"name__in"` a lookup.
        const called = n.parent?.type === "call" && n.parent.childForFieldName("function")?.id === n.id;
        const lookup = (text: string | undefined): string | undefined => (text?.includes("__") ? text.split("__")[0] : undefined);
        const name =
          n.type === "attribute" ? (called ? undefined : n.childForFieldName("attribute")?.text) : n.type === "keyword_argument" ? lookup(n.childForFieldName("name")?.text) : lookup(stringValue(n));
        if (name && !refs.has(name)) refs.set(name, { path: f.path, line: n.startPosition.row + 1 });
      }
    }
    return refs;
  });
}

const removedStillUsed: Rule = {
  id: `${FAMILY}/removed-field-still-used`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "migration",
  title: "`RemoveField` of a field the change still uses",
  appliesTo: isMigration,
  check: (file, ctx) =>
    touched(file, ctx, ["RemoveField"]).flatMap((o): RuleHit[] => {
      const name = stringValue(argument(o.call, 1, "name"));
      const ref = name && name.length > 2 ? references(file.path.slice(0, file.path.lastIndexOf("/migrations/")), ctx).get(name) : undefined;
      if (!name || !ref) return [];
      // Another model of the app (or this one, re-added) still declares a field of that name: the use is most likely that one.
      const app = file.path.slice(0, file.path.lastIndexOf("/migrations/"));
      const models = ctx.files.filter((f) => f.path.startsWith(`${app}/`) && isModelsFile(f.path) && f.status !== "removed");
      if (fieldOn(models, "new", ctx.trees, "?", name)) return [];
      // Dropping the model's fields before `DeleteModel` is how Django removes a model: a `.user` elsewhere is another model's.
      const model = modelNameOf(o);
      if (operations(file, ctx.trees).some((d) => d.op === "DeleteModel" && modelNameOf(d) === model)) return [];
      return [
        {
          line: o.line,
          title: `\`${name}\` is dropped but still used in \`${ref.path.slice(ref.path.lastIndexOf("/") + 1)}\``,
          body:
            `This migration drops \`${name}\`, yet lines added in this change still use a \`${name}\` (\`${ref.path}\` line ${ref.line}). ` +
            "If that is this field, the code fails with `FieldError`/`ProgrammingError` as soon as the migration runs, and " +
            "instances still running the old release fail too. Remove every use first, deploy, then drop the column.",
        },
      ];
    }),
};

/** The migrations family. */
export const MIGRATION_RULES: readonly Rule[] = [missingMigration, noReverse, noopReverse, destructive, removedStillUsed, ...MIGRATION_SAFETY_RULES];
