/**
 * The HTTP plumbing of the fake: route table, replies, GitHub's error bodies
 * and pagination. Handlers stay plain functions from a context to a reply.
 */
import type { FakeState } from "./state.js";

/** What a handler answers. `json` and `text` are exclusive; neither = empty body. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Everything a handler may look at. */
export interface RouteContext {
  state: FakeState;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** e.g. http://127.0.0.1:PORT/api/v3, for `url` fields and Link headers. */
  apiUrl: string;
  /** Request path without prefix and query, still encoded. */
  path: string;
  /** The route's documentation URL, echoed in error bodies like GitHub does. */
  docs: string;
}

/** Who may call a route: an installation token, or the app's JWT. */
export type RouteAuth = "installation" | "app";

/** One endpoint of the fake. */
export interface Route {
  method: string;
  /** GitHub's route template; `{+name}` may span slashes, `*_number`/`*_id` are digits. */
  template: string;
  docs: string;
  auth?: RouteAuth;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

/** A route compiled for matching. */
export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

/** Compiles templates once so matching a request is a regex test per route. */
export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.template.replace(/\{(\+?)(\w+)\}/g, (_m, plus: string, name: string) => {
      names.push(name);
      if (plus) return "(.+)";
      return /(_number|_id)$/.test(name) ? "(\\d+)" : "([^/]+)";
    });
    return { ...route, regex: new RegExp(`^${source}/?$`), names };
  });
}

/** Finds the route for a method and encoded path, with decoded parameters. */
export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1] ?? "");
    });
    return { route, params };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const GENERIC_DOCS = "https://docs.github.com/rest";

/** 200 or 201 with a JSON body. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

/** 204 No Content. */
export function noContent(): Reply {
  return { status: 204 };
}

/** GitHub's 404, which it also uses for "exists but you may not see it". */
export function notFound(docs: string = GENERIC_DOCS, message = "Not Found"): Reply {
  return json(404, { message, documentation_url: docs, status: "404" });
}

/**
 * Schema-level rejection. GitHub words these as "Invalid request.\n\n<detail>", e.g.
 * `"summary" wasn't supplied.` or `No more than 50 items are allowed; 51 were supplied.`
 */
export function invalidRequest(docs: string, detail: string): Reply {
  return json(422, { message: `Invalid request.\n\n${detail}`, documentation_url: docs, status: "422" });
}

/** One entry of a "Validation Failed" body. */
export interface ValidationError {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** Model-level rejection: `{ message: "Validation Failed", errors: [{ resource, code, field }] }`. */
export function validationFailed(docs: string, errors: ValidationError[]): Reply {
  return json(422, { message: "Validation Failed", errors, documentation_url: docs, status: "422" });
}

/**
 * The review endpoint's rejection: `{ message: "Unprocessable Entity", errors: ["Line could not be resolved"] }`
 * (errors are plain strings there, unlike "Validation Failed").
 */
export function unprocessable(docs: string, errors: string[]): Reply {
  return json(422, { message: "Unprocessable Entity", errors, documentation_url: docs, status: "422" });
}

/** Schema enum failure, in the wording GitHub's JSON-schema validator uses. */
export function notOneOf(docs: string, property: string, value: unknown, allowed: readonly string[]): Reply {
  const list = allowed.map((a) => JSON.stringify(a)).join(", ");
  return invalidRequest(docs, `For 'properties/${property}', ${JSON.stringify(value)} is not one of [${list}].`);
}

/** Schema "required" failure. */
export function notSupplied(docs: string, property: string): Reply {
  return invalidRequest(docs, `"${property}" wasn't supplied.`);
}

/** Schema maxLength failure. */
export function tooLong(docs: string, max: number, actual: number): Reply {
  return invalidRequest(docs, `Only ${max} characters are allowed; ${actual} were supplied.`);
}

/** Schema maxItems failure. */
export function tooMany(docs: string, max: number, actual: number): Reply {
  return invalidRequest(docs, `No more than ${max} items are allowed; ${actual} were supplied.`);
}

/** Narrows a parsed JSON body to an object (arrays excluded). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A string field, or undefined when absent or null (GitHub treats null as absent). */
export function optString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === "string" ? v : undefined;
}

/** An integer field, or undefined when absent/null/not an integer. */
export function optInt(obj: Record<string, unknown>, key: string): number | undefined {
  const v = obj[key];
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** True when the key is present with a non-null value. */
export function has(obj: Record<string, unknown>, key: string): boolean {
  return obj[key] !== undefined && obj[key] !== null;
}

/** Checks a field's JSON type the way GitHub's schema validation does; returns a reply on mismatch. */
export function typeError(
  docs: string,
  obj: Record<string, unknown>,
  key: string,
  type: "string" | "integer" | "array" | "object" | "boolean",
): Reply | undefined {
  if (!has(obj, key)) return undefined;
  const v = obj[key];
  const ok =
    type === "string"
      ? typeof v === "string"
      : type === "integer"
        ? typeof v === "number" && Number.isInteger(v)
        : type === "array"
          ? Array.isArray(v)
          : type === "object"
            ? asRecord(v) !== undefined
            : typeof v === "boolean";
  if (ok) return undefined;
  const article = type === "integer" || type === "array" || type === "object" ? "an" : "a";
  return invalidRequest(docs, `For 'properties/${key}', ${JSON.stringify(v)} is not ${article} ${type}.`);
}

/** Length in UTF-16 code units is what JS sees; GitHub counts characters (code points). */
export function charLength(s: string): number {
  return [...s].length;
}

/** UTF-8 byte length, which GitHub also enforces on check-run output. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/**
 * Slices a list the way GitHub pages it (`per_page` default 30, max 100; `page` from 1)
 * and builds the Link header `octokit.paginate` follows. `cap` models hard listing limits
 * such as the 3,000 files of `GET /pulls/{n}/files`.
 */
export function paginate<T>(
  items: readonly T[],
  ctx: RouteContext,
  cap = Number.POSITIVE_INFINITY,
): { page: T[]; headers: Record<string, string> } {
  const listed = items.slice(0, Math.min(items.length, cap));
  const perPageRaw = Number.parseInt(ctx.query.per_page ?? "", 10);
  const perPage = Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 30;
  const pageRaw = Number.parseInt(ctx.query.page ?? "", 10);
  const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const last = Math.max(1, Math.ceil(listed.length / perPage));
  const slice = listed.slice((page - 1) * perPage, page * perPage);

  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(p) });
    return `<${ctx.apiUrl}${ctx.path}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: slice, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}
