/**
 * The state slash commands share across a process: the per-PR rate limit, who was
 * already told they may not run commands, and users' roles. It lives in the main
 * thread; a command in a worker thread reaches it over its task's port, so the limit
 * and the "told once" memory hold for the process whichever thread runs a command.
 */
import type { Octokit } from "../github/octokit.js";
import type { RepoRole } from "../github/permissions.js";
import { TtlCache } from "../ops/ttl-cache.js";
import { cachedRepoRole, createRoleCache, roleKey } from "./cached-role.js";
import { RateLimiter, type RateDecision } from "./rate-limit.js";

/** Slash commands allowed per PR in a window: enough for a conversation, not for a loop. */
export const DEFAULT_COMMAND_LIMIT = { max: 5, windowMs: 10 * 60_000 } as const;

/**
 * PR+user pairs remembered as told "not allowed": at most this many, each a day. A pair
 * forgotten is found again from the notice on GitHub (one listing), never told twice.
 */
const DENIED_ENTRIES = 10_000;
const DENIED_TTL_MS = 24 * 3600_000;

/** A user on a repository of an installation. */
export interface RoleRef {
  installationId: number;
  owner: string;
  repo: string;
  username: string;
}

/** What a command asks of the shared state; plain data in and out, so that a port can carry every call. */
export interface CommandGuards {
  /** Counts one command on `key` (a PR) when its window has room; `max` and `windowMs` are the limit, for the reply. */
  take(key: string): Promise<RateDecision & { max: number; windowMs: number }>;
  /** The user's role (GitHub's permission API, cached a while by the main thread's Octokit). */
  role(ref: RoleRef): Promise<RepoRole>;
  /** True when the user's role is still known and they were told no under `deniedKey`: nothing to ask GitHub. */
  knownDenied(ref: RoleRef, deniedKey: string): Promise<boolean>;
  /** Records that `deniedKey` is being told no; true when it already was (tell nobody twice). */
  markDenied(deniedKey: string): Promise<boolean>;
}

/** The process's guards over `installation`'s Octokits (the main thread's). */
export function createCommandGuards(installation: (installationId: number) => Promise<Octokit>, limit: { max: number; windowMs: number } = DEFAULT_COMMAND_LIMIT): CommandGuards {
  const limiter = new RateLimiter(limit.max, limit.windowMs);
  const denied = new TtlCache<string, true>(DENIED_ENTRIES, DENIED_TTL_MS);
  const roles = createRoleCache();
  return {
    take: async (key) => ({ ...limiter.take(key), max: limiter.max, windowMs: limiter.windowMs }),
    role: async (ref) => cachedRepoRole(await installation(ref.installationId), roles, ref),
    knownDenied: async (ref, deniedKey) => roles.get(roleKey(ref)) !== undefined && denied.has(deniedKey),
    markDenied: async (deniedKey) => {
      if (denied.has(deniedKey)) return true;
      denied.set(deniedKey, true);
      return false;
    },
  };
}
