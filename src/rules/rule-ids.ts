/**
 * Every rule's id (`family/name`), in the order RULES runs them. The repo config checks
 * its keys against these without loading the rules themselves, whose Python parser (a
 * WebAssembly grammar) the webhook thread never needs. A test keeps this equal to RULES.
 */
export const RULE_IDS: readonly string[] = [
  "secrets/known-token", "secrets/hardcoded-secret", "secrets/non-constant-time-compare", "secrets/secret-logged-or-returned",
  "code-execution/eval", "code-execution/exec", "code-execution/pickle", "code-execution/yaml-load", "code-execution/shell-command",
  "sql-injection/raw-format", "sql-injection/raw-variable",
  "templating/mark-safe", "templating/format-html-misuse", "templating/safe-filter",
  "auth-settings/allow-any", "auth-settings/empty-permission-classes", "auth-settings/empty-authentication-classes", "auth-settings/csrf-exempt",
  "auth-settings/debug-true", "auth-settings/allowed-hosts-wildcard", "auth-settings/cors-allow-all",
  "drf/serializer-all-fields", "drf/unscoped-get-queryset",
  "auth-settings/unauthenticated-paths",
  "tenants/raw-set-schema", "tenants/tenant-query-in-public", "tenants/model-in-shared-app",
  "migrations/missing-migration", "migrations/no-reverse", "migrations/noop-reverse-after-destructive", "migrations/destructive-operation",
  "migrations/removed-field-still-used", "migrations/alter-field-not-null", "migrations/add-field-not-null", "migrations/add-index-not-concurrent",
  "migrations/column-type-rewrite",
  "celery/no-retry-network", "celery/enqueue-in-transaction", "celery/task-loses-tenant-context",
];

/** Rule families, in rule order: the part of an id before the slash. */
export const RULE_FAMILIES: readonly string[] = [...new Set(RULE_IDS.map((id) => id.slice(0, id.indexOf("/"))))];

/**
 * Whether `key` names a rule or a family: lets the repo-config validator report
 * a typo (`sql-injecton: off`) instead of silently ignoring it.
 */
export function isRuleKey(key: string): boolean {
  return RULE_IDS.includes(key) || RULE_FAMILIES.includes(key);
}
