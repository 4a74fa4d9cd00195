import { httpStatusOf } from "../errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** A user's role on a repository, most powerful first; `none` = no access. */
export const REPO_ROLES = ["admin", "maintain", "write", "triage", "read", "none"] as const;
export type RepoRole = (typeof REPO_ROLES)[number];

const isRole = (value: unknown): value is RepoRole => typeof value === "string" && (REPO_ROLES as readonly string[]).includes(value);

/**
 * The user's role from the collaborator-permission API — never from a comment's
 * `author_association`, which says nothing about write access. The legacy
 * `permission` field folds maintain into "write" and triage into "read", so the
 * exact `role_name` wins when it is a built-in role; a custom role falls back to
 * its base permission. A user GitHub does not know on the repository (404) has none.
 */
export async function getRepoRole(octokit: Octokit, ref: RepoRef & { username: string }): Promise<RepoRole> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: ref.owner, repo: ref.repo, username: ref.username });
    if (isRole(data.role_name)) return data.role_name;
    return isRole(data.permission) ? data.permission : "none";
  } catch (error) {
    if (httpStatusOf(error) === 404) return "none";
    throw error;
  }
}
