import type { Octokit, RepoRef } from "../github/octokit.js";
import { getRepoRole, type RepoRole } from "../github/permissions.js";

/** Roles whose holders may dismiss a finding (`/backend-agent ignore`, resolving its thread). */
export const DISMISS_ROLES: readonly RepoRole[] = ["admin", "maintain", "write"];

/** Whether a person may dismiss a finding, and why not. */
export type DismissVerdict = { allowed: true } | { allowed: false; reason: "author" | "role" };

/**
 * Who may dismiss a finding: someone with write permission or more, who is not the
 * PR's author unless the repository allows it (`allowAuthorDismiss`). Otherwise an
 * author could silence findings on their own PR, and anyone could from a fork.
 */
export function mayDismiss(input: { login: string; role: RepoRole; prAuthor: string; allowAuthorDismiss: boolean }): DismissVerdict {
  if (!DISMISS_ROLES.includes(input.role)) return { allowed: false, reason: "role" };
  if (!input.allowAuthorDismiss && input.login.toLowerCase() === input.prAuthor.toLowerCase()) return { allowed: false, reason: "author" };
  return { allowed: true };
}

/** Why a dismissal did not count, for the check summary and replies. */
export function refusalText(reason: "author" | "role"): string {
  return reason === "author" ? "the pull request's author; `allowAuthorDismiss` is off" : "no write permission";
}

/**
 * {@link mayDismiss} with the permission API, each login looked up at most once
 * (one review, or one command, holds one of these). A failed lookup counts as no
 * permission: a dismissal that cannot be checked does not dismiss.
 */
export function dismissalPolicy(octokit: Octokit, ref: RepoRef & { prAuthor: string; allowAuthorDismiss: boolean }): (login: string) => Promise<DismissVerdict> {
  const roles = new Map<string, Promise<RepoRole>>();
  return async (login) => {
    const key = login.toLowerCase();
    let role = roles.get(key);
    if (!role) {
      role = getRepoRole(octokit, { owner: ref.owner, repo: ref.repo, username: login }).catch((): RepoRole => "none");
      roles.set(key, role);
    }
    return mayDismiss({ login, role: await role, prAuthor: ref.prAuthor, allowAuthorDismiss: ref.allowAuthorDismiss });
  };
}
