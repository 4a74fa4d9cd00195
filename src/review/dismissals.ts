import { cell } from "./format.js";
import { codeSpan, neutraliseInline } from "./neutralise.js";

/** One dismissal of an earlier finding, as the check summary tells it. */
export interface Dismissal {
  title: string;
  path: string;
  how: "resolved" | "ignored";
  /** Login of who resolved the thread or ran `ignore`; undefined when GitHub does not say. */
  by: string | undefined;
  /** False: the resolution was not done by someone allowed, and the finding stays open. */
  counted: boolean;
  /** Why it did not count. */
  reason?: string | undefined;
}

/** A login as inline code: readable, and (without `@`) nobody is notified. Logins hold no backtick; anything odd is dropped. */
const who = (login: string | undefined) => (login ? `\`${login.replace(/[^A-Za-z0-9_.[\]-]/g, "").slice(0, 100)}\`` : "an unknown account");

/** The summary's lines naming who dismissed what, and which resolutions did not count. */
export function dismissalLines(dismissals: readonly Dismissal[] | undefined): string[] {
  if (!dismissals?.length) return [];
  const line = (d: Dismissal) => {
    const what = `${cell(neutraliseInline(d.title))} (${cell(codeSpan(d.path))})`;
    if (d.counted) return `- Dismissed: ${what} — ${d.how === "resolved" ? "thread resolved" : "ignored"} by ${who(d.by)}`;
    return `- Not counted: ${what} — thread resolved by ${who(d.by)} (${d.reason ?? "not allowed"}); the finding stays open`;
  };
  return [`### Dismissed findings\n\n${dismissals.map(line).join("\n")}`];
}
