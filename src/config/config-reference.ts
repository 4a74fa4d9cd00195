import { z } from "zod";
import { RULES, RULE_FAMILIES } from "../rules/index.js";
import { DEFAULT_SETTINGS, repoConfigSchema } from "./repo-config.js";

type JsonSchema = { type?: string; enum?: unknown[]; items?: JsonSchema; description?: string; properties?: Record<string, JsonSchema>; propertyNames?: unknown };

/**
 * JSON Schema of `.github/backend-agent.yml` for editors (yaml-language-server),
 * generated from the zod schema the app validates with, plus the rule names
 * the schema can only check in code.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(repoConfigSchema, { unrepresentable: "any" }) as JsonSchema & Record<string, unknown>;
  const rules = schema.properties?.rules;
  if (rules) rules.propertyNames = { enum: [...RULE_FAMILIES, ...RULES.map((r) => r.id)] };
  return { ...schema, title: "backend-agent repository settings (.github/backend-agent.yml)" };
}

function typeOf(prop: JsonSchema): string {
  if (prop.enum) return prop.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (prop.type === "array") return `list of ${prop.items ? typeOf(prop.items) : "values"}`;
  if (prop.type === "object") return "map";
  return prop.type ?? "any";
}

/** The settings table of the README, from the schema and {@link DEFAULT_SETTINGS}. */
export function configTable(): string {
  const props = (configJsonSchema() as JsonSchema).properties ?? {};
  const defaults: Record<string, unknown> = DEFAULT_SETTINGS;
  const rows = Object.entries(props).map(([key, prop]) => {
    const fallback = key in defaults ? `\`${JSON.stringify(defaults[key])}\`` : key === "onError" ? "`onIncomplete`'s" : "the agent's `model`";
    return `| \`${key}\` | ${typeOf(prop)} | ${fallback} | ${prop.description ?? ""} |`;
  });
  return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** The rule table of the README, from the registry. */
export function rulesTable(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.defaultSeverity} | ${r.category} | ${r.title} |`);
  return ["| rule | default severity | category | what it flags |", "|---|---|---|---|", ...rows].join("\n");
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${start} … ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}
