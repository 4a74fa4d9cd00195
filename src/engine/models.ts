/**
 * The one place that maps model aliases to ids. Agent files and repo settings
 * say `sonnet`; the API wants an id. A full id passes through unchanged.
 */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  sonnet: "claude-sonnet-5-5",
  opus: "claude-opus-5-5",
  haiku: "claude-haiku-5-5",
};

/** Resolves an alias (case-insensitive) or returns the id as given. `inherit` means the default. */
export function resolveModel(nameOrId: string, fallback = "sonnet"): string {
  const key = nameOrId.trim().toLowerCase();
  if (key === "inherit" || key === "") return resolveModel(fallback);
  return MODEL_ALIASES[key] ?? nameOrId.trim();
}
