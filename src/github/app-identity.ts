import type { Logger } from "pino";
import { httpStatusOf, UserFacingError } from "../errors.js";
import type { Octokit } from "./octokit.js";

/**
 * Who this GitHub App is, as GitHub says (`GET /app`): the only author whose
 * markers count, and the only app whose check runs are our history. Plain data,
 * safe to log and to pass to any code that needs to tell "ours" from "anyone's".
 */
export interface AppIdentity {
  /** The app's numeric id (`check_run.app.id`, `app_id` filters). */
  appId: number;
  /** The app's slug (`backend-agent`). */
  slug: string;
  /** The login of the app's bot user, the author of everything it posts: `${slug}[bot]`. */
  botLogin: string;
}

/** Reads the identity with an app-authenticated (JWT) Octokit: Probot's `await probot.auth()` without an installation id. */
export async function fetchAppIdentity(appOctokit: Octokit): Promise<AppIdentity> {
  const { data } = await appOctokit.rest.apps.getAuthenticated();
  if (!data || typeof data.id !== "number" || typeof data.slug !== "string" || data.slug === "") {
    throw new Error("GET /app answered without an app id and slug");
  }
  return { appId: data.id, slug: data.slug, botLogin: `${data.slug}[bot]` };
}

/** True when `login` is the app's own bot user (GitHub logins are case-insensitive). */
export const isOwnLogin = (identity: Pick<AppIdentity, "botLogin">, login: string | undefined | null): boolean =>
  typeof login === "string" && login.toLowerCase() === identity.botLogin.toLowerCase();

/** Tries per call of the getter before it gives up (each failed call lets the next one try again). */
const ATTEMPTS = 3;

/**
 * The identity, read once per process and cached. A failure is not cached: the
 * getter retries with a short backoff, then rejects with a {@link UserFacingError}
 * a review can show as is, and the next call starts over.
 */
export function appIdentityGetter(load: () => Promise<AppIdentity>, log: Logger, backoffMs = 500): () => Promise<AppIdentity> {
  let cached: Promise<AppIdentity> | undefined;
  const attempt = async (): Promise<AppIdentity> => {
    let last: unknown;
    for (let i = 0; i < ATTEMPTS; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs * i));
      try {
        const identity = await load();
        log.info({ appId: identity.appId, botLogin: identity.botLogin }, "app identity read");
        return identity;
      } catch (error) {
        last = error;
        log.warn({ err: error, attempt: i + 1, status: httpStatusOf(error) }, "could not read the app identity (GET /app)");
      }
    }
    const status = httpStatusOf(last);
    throw new UserFacingError(
      `Could not read this app's identity from GitHub (\`GET /app\`: ${status ? `HTTP ${status}` : "no answer"}), so its earlier findings and reviews cannot be told from anyone else's. Re-run this check in a few minutes.`,
      undefined,
      { cause: last },
    );
  };
  return () => {
    cached ??= attempt().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
