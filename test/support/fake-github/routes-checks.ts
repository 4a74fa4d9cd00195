/**
 * Check runs, with the Checks API's limits: title + summary required in
 * `output`, 65,535 characters (and bytes) for summary and text, 50 annotations
 * per request (a PATCH appends them), 3 actions with short labels, and a
 * conclusion whenever the run is completed.
 */
import {
  asRecord,
  byteLength,
  charLength,
  has,
  invalidRequest,
  json,
  notFound,
  notOneOf,
  notSupplied,
  optString,
  paginate,
  tooLong,
  tooMany,
  typeError,
  validationFailed,
  type Reply,
  type Route,
  type RouteContext,
} from "./http.js";
import { normalizeRef, repoOf } from "./routes-repos.js";
import { checkRunJson } from "./serialize.js";
import { APP_ID, now, type CheckRunState } from "./state.js";

const DOCS = {
  create: "https://docs.github.com/rest/checks/runs#create-a-check-run",
  update: "https://docs.github.com/rest/checks/runs#update-a-check-run",
  get: "https://docs.github.com/rest/checks/runs#get-a-check-run",
  annotations: "https://docs.github.com/rest/checks/runs#list-check-run-annotations",
  forRef: "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference",
};

const CREATE_STATUSES = ["queued", "in_progress", "completed"] as const;
const UPDATE_STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"] as const;
const CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
] as const;
const LEVELS = ["notice", "warning", "failure"] as const;
/** Checks API limits (docs: "Maximum length: 65535 characters", "maximum of 50 per API request"). */
export const MAX_OUTPUT_CHARS = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
const MAX_ACTIONS = 3;

type Mode = "create" | "update";

function checkText(docs: string, field: "summary" | "text", value: string): Reply | undefined {
  const chars = charLength(value);
  if (chars > MAX_OUTPUT_CHARS) return tooLong(docs, MAX_OUTPUT_CHARS, chars);
  // GitHub also caps the UTF-8 size, so emoji-heavy text fails below 65,535 characters.
  if (byteLength(value) > MAX_OUTPUT_CHARS) {
    return validationFailed(docs, [
      { resource: "CheckRun", code: "custom", field, message: `${field} exceeds a maximum bytesize of ${MAX_OUTPUT_CHARS}` },
    ]);
  }
  return undefined;
}

function checkOutput(docs: string, output: Record<string, unknown>): Reply | undefined {
  // The update schema marks only summary as required, but its docs say title is "**Required**" too; enforce both.
  if (!has(output, "title")) return notSupplied(docs, "title");
  if (!has(output, "summary")) return notSupplied(docs, "summary");
  for (const key of ["title", "summary", "text"]) {
    const err = typeError(docs, output, key, "string");
    if (err) return err;
  }
  for (const field of ["summary", "text"] as const) {
    const value = optString(output, field);
    const err = value === undefined ? undefined : checkText(docs, field, value);
    if (err) return err;
  }
  const annErr = typeError(docs, output, "annotations", "array");
  if (annErr) return annErr;
  const annotations: unknown[] = Array.isArray(output.annotations) ? output.annotations : [];
  if (annotations.length > MAX_ANNOTATIONS_PER_REQUEST) {
    return tooMany(docs, MAX_ANNOTATIONS_PER_REQUEST, annotations.length);
  }
  for (const item of annotations) {
    const a = asRecord(item);
    if (!a) return invalidRequest(docs, `For 'items', ${JSON.stringify(item)} is not an object.`);
    for (const key of ["path", "start_line", "end_line", "annotation_level", "message"]) {
      if (!has(a, key)) return notSupplied(docs, key);
    }
    for (const key of ["start_line", "end_line", "start_column", "end_column"]) {
      const err = typeError(docs, a, key, "integer");
      if (err) return err;
    }
    for (const key of ["path", "annotation_level", "message", "title", "raw_details"]) {
      const err = typeError(docs, a, key, "string");
      if (err) return err;
    }
    const level = optString(a, "annotation_level") ?? "";
    if (!(LEVELS as readonly string[]).includes(level)) return notOneOf(docs, "annotation_level", level, LEVELS);
    const title = optString(a, "title");
    if (title !== undefined && charLength(title) > 255) return tooLong(docs, 255, charLength(title));
  }
  return undefined;
}

function checkActions(docs: string, actions: unknown[]): Reply | undefined {
  if (actions.length > MAX_ACTIONS) return tooMany(docs, MAX_ACTIONS, actions.length);
  for (const item of actions) {
    const a = asRecord(item);
    if (!a) return invalidRequest(docs, `For 'items', ${JSON.stringify(item)} is not an object.`);
    for (const [key, max] of [
      ["label", 20],
      ["description", 40],
      ["identifier", 20],
    ] as const) {
      if (!has(a, key)) return notSupplied(docs, key);
      const err = typeError(docs, a, key, "string");
      if (err) return err;
      const len = charLength(optString(a, key) ?? "");
      if (len > max) return tooLong(docs, max, len);
    }
  }
  return undefined;
}

/** Validates a create/update body; a reply means GitHub would refuse it. */
function validate(mode: Mode, body: Record<string, unknown>): Reply | undefined {
  const docs = mode === "create" ? DOCS.create : DOCS.update;
  if (mode === "create") {
    if (!has(body, "name")) return notSupplied(docs, "name");
    if (!has(body, "head_sha")) return notSupplied(docs, "head_sha");
  }
  for (const key of ["name", "head_sha", "details_url", "external_id", "status", "conclusion", "started_at", "completed_at"]) {
    const err = typeError(docs, body, key, "string");
    if (err) return err;
  }
  for (const [key, type] of [
    ["output", "object"],
    ["actions", "array"],
  ] as const) {
    const err = typeError(docs, body, key, type);
    if (err) return err;
  }
  const statuses = mode === "create" ? CREATE_STATUSES : UPDATE_STATUSES;
  const status = optString(body, "status");
  if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
    return notOneOf(docs, "status", status, statuses);
  }
  const conclusion = optString(body, "conclusion");
  if (conclusion !== undefined && !(CONCLUSIONS as readonly string[]).includes(conclusion)) {
    return notOneOf(docs, "conclusion", conclusion, CONCLUSIONS);
  }
  if (conclusion === "stale") {
    // In the schema's enum, but "only GitHub can set this".
    return validationFailed(docs, [{ resource: "CheckRun", code: "invalid", field: "conclusion" }]);
  }
  if ((status === "completed" || has(body, "completed_at")) && conclusion === undefined) {
    return notSupplied(docs, "conclusion");
  }
  const output = asRecord(body.output);
  if (output) {
    const err = checkOutput(docs, output);
    if (err) return err;
  }
  if (Array.isArray(body.actions)) return checkActions(docs, body.actions);
  return undefined;
}

/** Applies a validated body; annotations accumulate like on GitHub. */
function apply(run: CheckRunState, body: Record<string, unknown>): void {
  run.name = optString(body, "name") ?? run.name;
  run.detailsUrl = optString(body, "details_url") ?? run.detailsUrl;
  run.externalId = optString(body, "external_id") ?? run.externalId;
  run.startedAt = optString(body, "started_at") ?? run.startedAt;
  const status = optString(body, "status");
  if (status !== undefined) run.status = status;
  const conclusion = optString(body, "conclusion");
  if (conclusion !== undefined) {
    // "Providing conclusion will automatically set the status parameter to completed."
    run.conclusion = conclusion;
    run.status = "completed";
    run.completedAt = optString(body, "completed_at") ?? now();
  }
  const output = asRecord(body.output);
  if (output) {
    for (const key of ["title", "summary", "text"] as const) {
      const value = optString(output, key);
      if (value !== undefined) run.output[key] = value;
    }
    const annotations = Array.isArray(output.annotations) ? output.annotations : [];
    for (const a of annotations) {
      const record = asRecord(a);
      if (record) run.annotations.push({ ...record });
    }
  }
  if (Array.isArray(body.actions)) run.actions = body.actions.map((a) => (asRecord(a) ? { ...asRecord(a) } : a));
}

function createRun(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.create);
  const body = asRecord(ctx.body) ?? {};
  const err = validate("create", body);
  if (err) return err;
  const headSha = optString(body, "head_sha") ?? "";
  if (!ctx.state.knowsCommit(repo, headSha)) {
    return json(422, { message: `No commit found for SHA: ${headSha}`, documentation_url: DOCS.create, status: "422" });
  }
  const run: CheckRunState = {
    id: ctx.state.nextId("checkRun"),
    name: optString(body, "name") ?? "",
    headSha,
    status: "queued",
    conclusion: null,
    output: {},
    annotations: [],
    actions: undefined,
    externalId: undefined,
    detailsUrl: undefined,
    startedAt: now(),
    completedAt: undefined,
  };
  apply(run, body);
  repo.checkRuns.push(run);
  return json(201, checkRunJson(repo, run, ctx.apiUrl));
}

function runOf(ctx: RouteContext): { repo: NonNullable<ReturnType<typeof repoOf>>; run: CheckRunState } | undefined {
  const repo = repoOf(ctx);
  const run = repo?.checkRuns.find((r) => r.id === Number(ctx.params.check_run_id));
  return repo && run ? { repo, run } : undefined;
}

function updateRun(ctx: RouteContext): Reply {
  const hit = runOf(ctx);
  if (!hit) return notFound(DOCS.update);
  const body = asRecord(ctx.body) ?? {};
  const err = validate("update", body);
  if (err) return err;
  apply(hit.run, body);
  return json(200, checkRunJson(hit.repo, hit.run, ctx.apiUrl));
}

function listForRef(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.forRef);
  const ref = ctx.params.ref ?? "";
  const branch = normalizeRef(ref);
  const sha = [...repo.pulls.values()].find((p) => p.pr.headRef === branch)?.pr.headSha ?? ref;
  let runs = repo.checkRuns.filter((r) => r.headSha === sha);
  if (ctx.query.check_name !== undefined) runs = runs.filter((r) => r.name === ctx.query.check_name);
  if (ctx.query.app_id !== undefined) runs = runs.filter((r) => String(r.app?.id ?? APP_ID) === ctx.query.app_id);
  if (ctx.query.status !== undefined) runs = runs.filter((r) => r.status === ctx.query.status);
  runs = [...runs].sort((a, b) => b.id - a.id);
  // filter=latest (the default) keeps the most recent run of each name.
  if (ctx.query.filter !== "all") {
    const seen = new Set<string>();
    runs = runs.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)));
  }
  const { page, headers } = paginate(runs, ctx);
  return json(
    200,
    { total_count: runs.length, check_runs: page.map((r) => checkRunJson(repo, r, ctx.apiUrl)) },
    headers,
  );
}

/** Routes of this module. */
export const checkRoutes: Route[] = [
  { method: "POST", template: "/repos/{owner}/{repo}/check-runs", docs: DOCS.create, handle: createRun },
  { method: "PATCH", template: "/repos/{owner}/{repo}/check-runs/{check_run_id}", docs: DOCS.update, handle: updateRun },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
    docs: DOCS.get,
    handle(ctx) {
      const hit = runOf(ctx);
      return hit ? json(200, checkRunJson(hit.repo, hit.run, ctx.apiUrl)) : notFound(DOCS.get);
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
    docs: DOCS.annotations,
    handle(ctx) {
      const hit = runOf(ctx);
      if (!hit) return notFound(DOCS.annotations);
      const { page, headers } = paginate(hit.run.annotations, ctx);
      return json(
        200,
        page.map((a) => ({ start_column: null, end_column: null, title: null, raw_details: null, ...a })),
        headers,
      );
    },
  },
  { method: "GET", template: "/repos/{owner}/{repo}/commits/{+ref}/check-runs", docs: DOCS.forRef, handle: listForRef },
];
