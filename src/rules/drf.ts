/**
 * Django REST framework exposure: serializers that publish every column of a
 * model holding credentials or personal secrets.
 */
import type { FileDiff } from "../diff/types.js";
import { schemaOf } from "./model-fields.js";
import { isModelsFile, isPython, isTestPath } from "./paths.js";
import { changedLines, changeMentions, touchedLine } from "./diff-lines.js";
import { kids, lineOf, nodesOf, stringValue, unwrap, type Node } from "./python-tree.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "drf";

const SENSITIVE_FIELD = /(?:^|_)(?:password|passwd|secret|token|api_?key|key_hash|private_key|credentials?|ssn|otp|salt)(?:_|$)/i;
/** Model names whose rows are credentials or accounts, for when the model's fields are not in the change. */
const SENSITIVE_MODEL = /(?:User|Account|ApiKey|APIKey|Token|Credential|Secret|Adapter|Connector|Integration)/;

/** Sensitive field names of `model` among the change's models files (new side), or undefined when not there. */
function sensitiveFields(model: string, ctx: RuleContext): string[] | undefined {
  const byModel = ctx.memo("model-sensitive-fields", () => {
    const map = new Map<string, string[]>();
    for (const f of ctx.files.filter((x) => isModelsFile(x.path))) {
      for (const e of schemaOf(f, "new", ctx.trees)) {
        const [cls, field] = e.key.split(".");
        if (!cls || !field) continue;
        map.set(cls, [...(map.get(cls) ?? []), ...(SENSITIVE_FIELD.test(field) ? [field] : [])]);
      }
    }
    return map;
  });
  return byModel.get(model);
}

/** The `Meta` of a class and its `model` and `fields`. */
function meta(cls: Node): { model?: string | undefined; fields?: Node | undefined } {
  const body = kids(kids(cls.childForFieldName("body")).find((s) => s.type === "class_definition" && s.childForFieldName("name")?.text === "Meta")?.childForFieldName("body"));
  const value = (name: string): Node | undefined =>
    body.map((s) => kids(s).find((a) => a.type === "assignment" && a.childForFieldName("left")?.text === name)).find((a) => a)?.childForFieldName("right") ?? undefined;
  return { model: unwrap(value("model"))?.text.split(".").pop(), fields: value("fields") };
}

const allFields: Rule = {
  id: `${FAMILY}/serializer-all-fields`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "Serializer exposes `__all__` fields of a model with secrets",
  appliesTo: (path) => isPython(path) && !isTestPath(path),
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    if (!changeMentions(file, /__all__/)) return [];
    const changed = changedLines(file);
    return nodesOf(ctx.trees.get(file, "new")?.rootNode, "class_definition").flatMap((cls): RuleHit[] => {
      if (!/Serializer\b/.test(cls.childForFieldName("superclasses")?.text ?? "")) return [];
      const { model, fields } = meta(cls);
      if (!model || !fields || stringValue(fields) !== "__all__") return [];
      const line = touchedLine(fields, file) ?? (changed.has(lineOf(cls)) ? lineOf(cls) : undefined);
      if (line === undefined) return [];
      const known = sensitiveFields(model, ctx);
      if (known ? known.length === 0 : !SENSITIVE_MODEL.test(model)) return [];
      const what = known ? `its fields ${known.map((f) => `\`${f}\``).join(", ")}` : `whatever \`${model}\` stores (its name says credentials or accounts)`;
      return [
        {
          line,
          title: `\`fields = "__all__"\` on \`${model}\` exposes its secrets`,
          body:
            `This serializer sends every column of \`${model}\`, including ${what}, to anyone who can call the endpoint, ` +
            "and any column added later goes out too. List the fields explicitly, and mark credentials `write_only` " +
            "(or leave them out).",
        },
      ];
    });
  },
};

/** The DRF family. */
export const DRF_RULES: readonly Rule[] = [allFields];
