/**
 * Labels: the repository's labels and the labels on a PR. Names are matched
 * case-insensitively and arrive URL-encoded ("security%3A%20high").
 */
import {
  asRecord,
  has,
  json,
  noContent,
  notFound,
  notSupplied,
  optString,
  paginate,
  typeError,
  validationFailed,
  type Reply,
  type Route,
  type RouteContext,
} from "./http.js";
import { repoOf } from "./routes-repos.js";
import { issueLabelsJson, labelJson } from "./serialize.js";
import type { FakeState, LabelState, RepoState } from "./state.js";

const DOCS = {
  labels: "https://docs.github.com/rest/issues/labels#list-labels-for-a-repository",
  getLabel: "https://docs.github.com/rest/issues/labels#get-a-label",
  createLabel: "https://docs.github.com/rest/issues/labels#create-a-label",
  updateLabel: "https://docs.github.com/rest/issues/labels#update-a-label",
  deleteLabel: "https://docs.github.com/rest/issues/labels#delete-a-label",
  issueLabels: "https://docs.github.com/rest/issues/labels#list-labels-for-an-issue",
  addLabels: "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue",
  setLabels: "https://docs.github.com/rest/issues/labels#set-labels-for-an-issue",
  removeLabel: "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue",
  removeAll: "https://docs.github.com/rest/issues/labels#remove-all-labels-from-an-issue",
};

/** Color GitHub gives a label created implicitly by adding it to an issue. */
export const DEFAULT_LABEL_COLOR = "ededed";

/** Repository and issue (= PR) number, when both exist. */
export function issueOf(ctx: RouteContext): { repo: RepoState; number: number } | undefined {
  const repo = repoOf(ctx);
  const number = Number(ctx.params.issue_number);
  return repo?.pulls.has(number) ? { repo, number } : undefined;
}

/** Creates a label; the caller has checked the name is free. */
export function createLabel(state: FakeState, repo: RepoState, name: string, color: string, description: string | null): LabelState {
  const label: LabelState = { id: state.nextId("label"), name, color: color.toLowerCase(), description };
  repo.labels.set(name.toLowerCase(), label);
  return label;
}

function postLabel(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.createLabel);
  const body = asRecord(ctx.body) ?? {};
  if (!has(body, "name")) return notSupplied(DOCS.createLabel, "name");
  for (const key of ["name", "color", "description"]) {
    const err = typeError(DOCS.createLabel, body, key, "string");
    if (err) return err;
  }
  const name = optString(body, "name") ?? "";
  const color = optString(body, "color") ?? DEFAULT_LABEL_COLOR;
  const description = optString(body, "description") ?? null;
  if (!/^[0-9a-fA-F]{6}$/.test(color)) {
    return validationFailed(DOCS.createLabel, [{ resource: "Label", code: "invalid", field: "color" }]);
  }
  if (description !== null && description.length > 100) {
    return validationFailed(DOCS.createLabel, [
      { resource: "Label", code: "custom", field: "description", message: "description is too long (maximum is 100 characters)" },
    ]);
  }
  // Label names are unique case-insensitively.
  if (repo.labels.has(name.toLowerCase())) {
    return validationFailed(DOCS.createLabel, [{ resource: "Label", code: "already_exists", field: "name" }]);
  }
  return json(201, labelJson(repo, createLabel(ctx.state, repo, name, color, description), ctx.apiUrl));
}

function patchLabel(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  const label = repo?.labels.get((ctx.params.name ?? "").toLowerCase());
  if (!repo || !label) return notFound(DOCS.updateLabel);
  const body = asRecord(ctx.body) ?? {};
  const newName = optString(body, "new_name");
  const color = optString(body, "color");
  if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) {
    return validationFailed(DOCS.updateLabel, [{ resource: "Label", code: "invalid", field: "color" }]);
  }
  if (newName !== undefined && newName.toLowerCase() !== label.name.toLowerCase() && repo.labels.has(newName.toLowerCase())) {
    return validationFailed(DOCS.updateLabel, [{ resource: "Label", code: "already_exists", field: "name" }]);
  }
  if (newName !== undefined) {
    const oldKey = label.name.toLowerCase();
    repo.labels.delete(oldKey);
    label.name = newName;
    repo.labels.set(newName.toLowerCase(), label);
    for (const [issue, keys] of repo.issueLabels) {
      repo.issueLabels.set(issue, keys.map((k) => (k === oldKey ? newName.toLowerCase() : k)));
    }
  }
  if (color !== undefined) label.color = color.toLowerCase();
  if (has(body, "description")) label.description = optString(body, "description") ?? null;
  return json(200, labelJson(repo, label, ctx.apiUrl));
}

/** Label names from `{ labels: [...] }` or a bare array, as strings or `{ name }` objects. */
function labelNames(body: unknown): string[] | undefined {
  const list = Array.isArray(body) ? body : asRecord(body)?.labels;
  if (!Array.isArray(list)) return undefined;
  const names: string[] = [];
  for (const item of list) {
    if (typeof item === "string") names.push(item);
    else {
      const name = asRecord(item)?.name;
      if (typeof name !== "string") return undefined;
      names.push(name);
    }
  }
  return names;
}

function addToIssue(ctx: RouteContext, replace: boolean): Reply {
  const docs = replace ? DOCS.setLabels : DOCS.addLabels;
  const hit = issueOf(ctx);
  if (!hit) return notFound(docs);
  const names = labelNames(ctx.body);
  if (names === undefined) return notSupplied(docs, "labels");
  const { repo, number } = hit;
  const keys = replace ? [] : [...(repo.issueLabels.get(number) ?? [])];
  for (const name of names) {
    const key = name.toLowerCase();
    // Adding an unknown label creates it, as GitHub does.
    if (!repo.labels.has(key)) createLabel(ctx.state, repo, name, DEFAULT_LABEL_COLOR, null);
    if (!keys.includes(key)) keys.push(key);
  }
  repo.issueLabels.set(number, keys);
  return json(200, issueLabelsJson(repo, number, ctx.apiUrl));
}

/** Routes of this module. */
export const labelRoutes: Route[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/labels",
    docs: DOCS.labels,
    handle(ctx) {
      const repo = repoOf(ctx);
      if (!repo) return notFound(DOCS.labels);
      const { page, headers } = paginate([...repo.labels.values()], ctx);
      return json(
        200,
        page.map((l) => labelJson(repo, l, ctx.apiUrl)),
        headers,
      );
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/labels/{name}",
    docs: DOCS.getLabel,
    handle(ctx) {
      const repo = repoOf(ctx);
      const label = repo?.labels.get((ctx.params.name ?? "").toLowerCase());
      return repo && label ? json(200, labelJson(repo, label, ctx.apiUrl)) : notFound(DOCS.getLabel);
    },
  },
  { method: "POST", template: "/repos/{owner}/{repo}/labels", docs: DOCS.createLabel, handle: postLabel },
  { method: "PATCH", template: "/repos/{owner}/{repo}/labels/{name}", docs: DOCS.updateLabel, handle: patchLabel },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/labels/{name}",
    docs: DOCS.deleteLabel,
    handle(ctx) {
      const repo = repoOf(ctx);
      const key = (ctx.params.name ?? "").toLowerCase();
      if (!repo || !repo.labels.has(key)) return notFound(DOCS.deleteLabel);
      repo.labels.delete(key);
      for (const [issue, keys] of repo.issueLabels) repo.issueLabels.set(issue, keys.filter((k) => k !== key));
      return noContent();
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    docs: DOCS.issueLabels,
    handle(ctx) {
      const hit = issueOf(ctx);
      if (!hit) return notFound(DOCS.issueLabels);
      const { page, headers } = paginate(issueLabelsJson(hit.repo, hit.number, ctx.apiUrl), ctx);
      return json(200, page, headers);
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    docs: DOCS.addLabels,
    handle: (ctx) => addToIssue(ctx, false),
  },
  {
    method: "PUT",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    docs: DOCS.setLabels,
    handle: (ctx) => addToIssue(ctx, true),
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    docs: DOCS.removeAll,
    handle(ctx) {
      const hit = issueOf(ctx);
      if (!hit) return notFound(DOCS.removeAll);
      hit.repo.issueLabels.set(hit.number, []);
      return noContent();
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
    docs: DOCS.removeLabel,
    handle(ctx) {
      const hit = issueOf(ctx);
      if (!hit) return notFound(DOCS.removeLabel);
      const key = (ctx.params.name ?? "").toLowerCase();
      const keys = hit.repo.issueLabels.get(hit.number) ?? [];
      if (!keys.includes(key)) return notFound(DOCS.removeLabel, "Label does not exist");
      hit.repo.issueLabels.set(
        hit.number,
        keys.filter((k) => k !== key),
      );
      return json(200, issueLabelsJson(hit.repo, hit.number, ctx.apiUrl));
    },
  },
];
