/**
 * What kind of file a path names, as far as the rules care. Decided from the path
 * alone, because a rule sees a diff and never the repository.
 */

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function segments(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

/** A Python source file. */
export function isPython(path: string): boolean {
  return path.endsWith(".py");
}

const TEST_DIRS = new Set(["test", "tests", "testing", "__tests__", "fixtures", "testdata", "test_data"]);

/**
 * Test code, test data and factories. Fake credentials and `DEBUG = True` are normal
 * there, so the secret and settings rules skip these paths.
 */
export function isTestPath(path: string): boolean {
  const dirs = segments(path).slice(0, -1);
  if (dirs.some((d) => TEST_DIRS.has(d))) return true;
  const name = baseName(path);
  return (
    /^test_.*\.py$/.test(name) ||
    /_tests?\.py$/.test(name) ||
    /^(tests?|testing|conftest|factories)\.py$/.test(name)
  );
}

/** A Django settings module: `settings.py`, `*settings*.py` or anything under `settings/`. */
export function isSettingsFile(path: string): boolean {
  if (!isPython(path)) return false;
  const name = baseName(path);
  return name.includes("settings") || segments(path).slice(0, -1).includes("settings");
}

/**
 * Settings meant for a developer machine or CI (`settings/dev.py`, `local_settings.py`,
 * `settings_test.py`): `DEBUG = True` or `ALLOWED_HOSTS = ["*"]` is expected there.
 */
export function isDevSettings(path: string): boolean {
  const stem = baseName(path).replace(/\.py$/, "").toLowerCase();
  const parts = stem.split(/[_.-]/);
  const dev = new Set(["dev", "develop", "development", "local", "test", "tests", "testing", "ci", "debug"]);
  return parts.some((p) => dev.has(p)) || isTestPath(path);
}

/** A Django migration module (`<app>/migrations/0001_initial.py`). */
export function isMigration(path: string): boolean {
  const dirs = segments(path).slice(0, -1);
  return isPython(path) && dirs.at(-1) === "migrations" && baseName(path) !== "__init__.py";
}

/** A Django models module (`<app>/models.py` or `<app>/models/<name>.py`). */
export function isModelsFile(path: string): boolean {
  if (!isPython(path) || isTestPath(path)) return false;
  return baseName(path) === "models.py" || segments(path).slice(0, -1).at(-1) === "models";
}

/** The directory of the Django app a models module belongs to (`backend/billing`). */
export function appDirOf(modelsPath: string): string {
  const dirs = segments(modelsPath).slice(0, -1);
  if (baseName(modelsPath) !== "models.py" && dirs.at(-1) === "models") dirs.pop();
  return dirs.join("/");
}

/** A Django or Jinja template. */
/** A management command: run by an operator on the server, with no request in reach. */
export function isManagementCommand(path: string): boolean {
  return /(?:^|\/)management\/commands\//.test(path);
}

/** A Django template (or a plain-text one under `templates/`). */
export function isTemplate(path: string): boolean {
  return /\.(html|htm|jinja2?|j2|djhtml)$/.test(path) || (segments(path).includes("templates") && path.endsWith(".txt"));
}

/**
 * Configuration files that may carry credentials besides Python settings: dotenv,
 * YAML, INI, TOML, JSON, Docker. Example and template env files are documentation.
 */
export function isConfigFile(path: string): boolean {
  const name = baseName(path).toLowerCase();
  if (/^\.env(\..+)?$/.test(name) || name.endsWith(".env")) {
    return !/\.(example|sample|template|dist|tmpl)$/.test(name);
  }
  return /\.(ya?ml|ini|cfg|toml|json|conf|properties)$/.test(name) || name === "dockerfile";
}
