import { mayDismiss } from "../../../src/review/dismissal-policy.js";
import { dismissalLines } from "../../../src/review/dismissals.js";

describe("who may dismiss a finding", () => {
  const base = { login: "lead", prAuthor: "alice", allowAuthorDismiss: false };
  it("needs write, maintain or admin", () => {
    expect(["admin", "maintain", "write"].map((role) => mayDismiss({ ...base, role: role as "write" }).allowed)).toEqual([true, true, true]);
    expect(mayDismiss({ ...base, role: "triage" })).toEqual({ allowed: false, reason: "role" });
    expect(mayDismiss({ ...base, role: "none" })).toEqual({ allowed: false, reason: "role" });
  });

  it("refuses the PR author (any case of the login) unless allowAuthorDismiss", () => {
    expect(mayDismiss({ ...base, login: "Alice", role: "admin" })).toEqual({ allowed: false, reason: "author" });
    expect(mayDismiss({ ...base, login: "alice", role: "admin", allowAuthorDismiss: true })).toEqual({ allowed: true });
    expect(mayDismiss({ ...base, login: "alice", role: "read", allowAuthorDismiss: true })).toEqual({ allowed: false, reason: "role" });
  });
});

describe("the summary's dismissals", () => {
  it("names who dismissed what as inline code (no @, nobody is notified), and resolutions that did not count", () => {
    const [text] = dismissalLines([
      { title: "Raw SQL", path: "backend/a.py", how: "resolved", by: "lead", counted: true },
      { title: "Total", path: "backend/b.py", how: "ignored", by: "maya", counted: true },
      { title: "Scope", path: "backend/c.py", how: "resolved", by: "alice", counted: false, reason: "the pull request's author" },
    ]);
    expect(text).toContain("- Dismissed: Raw SQL (`backend/a.py`) — thread resolved by `lead`");
    expect(text).toContain("- Dismissed: Total (`backend/b.py`) — ignored by `maya`");
    expect(text).toContain("- Not counted: Scope (`backend/c.py`) — thread resolved by `alice` (the pull request's author); the finding stays open");
    expect(text).not.toContain("@");
    expect(dismissalLines([])).toEqual([]);
  });
});
