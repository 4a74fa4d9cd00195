import type { Octokit } from "../github/octokit.js";
import { getRepoRole, type RepoRole } from "../github/permissions.js";
import { TtlCache } from "../ops/ttl-cache.js";

/** How long a user's role on a repository is trusted without asking GitHub again. */
export const ROLE_TTL_MS = 10 * 60_000;
/** Users' roles remembered at most. */
export const ROLE_CACHE_ENTRIES = 5_000;

/** Roles by installation, repository and user; a lookup in flight is shared by the commands that wait for it. */
export type RoleCache = TtlCache<string, Promise<RepoRole>>;

/** A role cache with the defaults above. */
export const createRoleCache = (ttlMs = ROLE_TTL_MS, maxEntries = ROLE_CACHE_ENTRIES): RoleCache => new TtlCache(maxEntries, ttlMs);

/** The cache key of a user on a repository of an installation (logins are case-insensitive). */
export const roleKey = (ref: { installationId: number; owner: string; repo: string; username: string }) =>
  `${ref.installationId}:${ref.owner}/${ref.repo}:${ref.username}`.toLowerCase();

/**
 * The user's role, from `cache` when asked within its TTL: a user posting commands in a
 * loop costs one permission lookup a window, not one each. Without a cache, asks GitHub.
 */
export async function cachedRepoRole(octokit: Octokit, cache: RoleCache | undefined, ref: { installationId: number; owner: string; repo: string; username: string }): Promise<RepoRole> {
  const key = roleKey(ref);
  const known = cache?.get(key);
  if (known) return known;
  const role = getRepoRole(octokit, { owner: ref.owner, repo: ref.repo, username: ref.username });
  cache?.set(key, role);
  // A failed lookup is not remembered: the next command asks again.
  role.catch(() => cache?.get(key) === role && cache.delete(key));
  return role;
}
