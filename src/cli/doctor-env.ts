import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { envSchema, loadEnv, type Env } from "../config/env.js";
import { check, type CheckResult } from "./doctor-check.js";

/** The environment the server would see, validated, with what the doctor found on the way. */
export interface DoctorEnv {
  env: Env;
  results: CheckResult[];
  /** Whether AGENT_FILE was set (else the default, relative to where the server starts). */
  agentFileSet: boolean;
}

const KNOWN = Object.keys(envSchema.shape);
/** A variable name as `echo NAME=… >>` writes it: upper case with an underscore. */
const GLUED_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const NAME_CHAR = /[A-Z0-9_]/;

/**
 * The first `NAME_WITH_UNDERSCORE=` glued into a value. Read back from each `=` over the
 * name characters before it: a regex searching for the name from every position of a
 * long upper-case run retries the whole run at each (quadratic).
 */
function gluedName(value: string): string | undefined {
  for (let eq = value.indexOf("="); eq !== -1; eq = value.indexOf("=", eq + 1)) {
    let start = eq;
    while (start > 0 && NAME_CHAR.test(value[start - 1] ?? "")) start--;
    const run = value.slice(start, eq);
    const letter = run.search(/[A-Z]/);
    const name = letter >= 0 ? run.slice(letter) : "";
    if (GLUED_NAME.test(name)) return name;
  }
  return undefined;
}

/**
 * The variable a value swallowed, if any: `WEBHOOK_SECRET="devsecretANTHROPIC_API_KEY=sk-…"`
 * is what `echo NAME=… >> .env` makes of a file without a final newline. PEM base64
 * never holds an underscore, so a key's `ABC=` padding is not taken for a name.
 */
export function swallowedName(value: string): string | undefined {
  const generic = gluedName(value);
  const known = KNOWN.find((name) => value.includes(`${name}=`));
  if (generic && known && generic.endsWith(known)) return known;
  return generic ?? known;
}

function swallowed(name: string, glued: string, where: string, label = ".env"): CheckResult {
  return check(
    "fail",
    label,
    `${where}${name}'s value runs into "${glued}=": two lines were joined (an \`echo >>\` onto a file without a final newline), so ${glued} is not set; put ${glued}=… on a line of its own and check ${name}`,
  );
}

/**
 * `.env` lines whose value swallowed another variable, read raw: `util.parseEnv` drops
 * what follows a closing quote. A line inside a multi-line value (Probot writes the PEM
 * that way) belongs to the variable above it; there only `NAME_WITH_UNDERSCORE=` counts,
 * since a PEM line could end in base64 that spells `PORT=`.
 */
function dotenvProblems(text: string): CheckResult[] {
  const results: CheckResult[] = [];
  let owner: string | undefined;
  /** The quote of a multi-line value still open (a PEM line ending in `=` is not an assignment). */
  let open: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const assignment = open ? null : /^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=(.*)$/.exec(line);
    let glued: string | undefined;
    if (assignment) {
      owner = assignment[1];
      const value = assignment[2]?.trimStart() ?? "";
      const quote = /^["'`]/.exec(value)?.[0];
      if (quote && !value.slice(1).includes(quote)) open = quote;
      glued = swallowedName(value);
    } else {
      if (open && line.includes(open)) open = undefined;
      glued = gluedName(line);
    }
    if (owner && glued) results.push(swallowed(owner, glued, `line ${index + 1}: `));
  });
  return results;
}

/** zod's issues name the variables; the values are never shown (they may be secrets). */
function invalidVariables(source: Record<string, string | undefined>): string[] {
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value?.trim())));
  return result.success ? [] : [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? "env")))];
}

/**
 * Reads the environment as `src/main.ts` does (`.env` in `cwd` fills in what the
 * process environment leaves unset) and validates it with {@link loadEnv}. When a
 * variable is invalid the other checks still run, with that variable at its default.
 */
export function checkEnvironment(cwd: string, processEnv: Record<string, string | undefined>): DoctorEnv {
  const results: CheckResult[] = [];
  const file = join(cwd, ".env");
  let dotenv: Record<string, string | undefined> = {};
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    dotenv = parseEnv(text);
    const problems = dotenvProblems(text);
    results.push(...problems);
    if (problems.length === 0) results.push(check("ok", ".env", `${file}: ${Object.keys(dotenv).length} variables (the process environment's own values win)`));
    if (text !== "" && !text.endsWith("\n")) {
      results.push(check("warn", ".env", "does not end with a newline: a line appended with `echo … >> .env` would join the last value; add a newline at its end"));
    }
  } else {
    results.push(check("skip", ".env", `no ${file}: only the process environment is read`));
  }
  const source: Record<string, string | undefined> = { ...dotenv };
  for (const [name, value] of Object.entries(processEnv)) {
    source[name] = value;
    const glued = KNOWN.includes(name) && value ? swallowedName(value) : undefined;
    if (glued) results.push(swallowed(name, glued, "", "env"));
  }
  const agentFileSet = Boolean(source["AGENT_FILE"]?.trim());
  try {
    const env = loadEnv(source);
    // A swallowed variable passes the schema; a "valid" line beside its ✗ would only confuse.
    if (!results.some((result) => result.status === "fail")) results.push(check("ok", "env", "every variable is valid"));
    return { env, results, agentFileSet };
  } catch (error) {
    const bad = invalidVariables(source);
    const message = error instanceof Error ? error.message.replace(/^Invalid environment: /, "") : String(error);
    results.push(check("fail", "env", `${message} (see .env.example)`));
    const rest = Object.fromEntries(Object.entries(source).filter(([name]) => !bad.includes(name)));
    try {
      return { env: loadEnv(rest), results, agentFileSet };
    } catch {
      // Still failing means a cross-variable rule (APP_ID without a key or secret): keep APP_ID so the later checks say what is missing.
      const { APP_ID, ...others } = rest;
      return { env: { ...loadEnv(others), APP_ID }, results, agentFileSet };
    }
  }
}
