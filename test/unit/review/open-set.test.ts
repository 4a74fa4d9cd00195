import { toFileDiff } from "../../../src/diff/parse-patch.js";
import type { PullReviewComment } from "../../../src/github/review-comments.js";
import { findingDataMarker, ignoredMarker, readFindingData } from "../../../src/review/finding-marker.js";
import { identify } from "../../../src/domain/fingerprint.js";
import { createMarkerSigner } from "../../../src/review/marker-signer.js";
import { locateCode } from "../../../src/review/open-set.js";
import { priorFindings } from "../../../src/review/prior-findings.js";
import type { Finding } from "../../../src/domain/findings.js";
import { diffFixture } from "../../support/git-fixture.js";

const diffOf = (head: string) =>
  diffFixture({ base: { "backend/a.py": "a = 1\n" }, head: { "backend/a.py": head } }).map((f) =>
    toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }),
  )[0]!;
const finding: Finding = { path: "backend/a.py", line: 2, startLine: 1, side: "RIGHT", severity: "high", category: "security", title: "Raw SQL -->", body: "b", confidence: 0.9, source: "model" };
const comment = (over: Partial<PullReviewComment>): PullReviewComment => ({ id: 1, inReplyTo: undefined, body: "", author: "backend-agent[bot]", path: "backend/a.py", line: 2, side: "RIGHT", commitId: "c", ...over });

describe("finding identity across pushes", () => {
  const before = diffOf("x = raw(sql)\ny = run(x)\n");
  const id = identify(finding, before);
  const signer = createMarkerSigner("test-secret").forPull({ owner: "acme", repo: "api", pullNumber: 7 });
  const trust = { app: { botLogin: "backend-agent[bot]" }, signer };
  const body = `text\n\n${findingDataMarker(finding, id, signer)}`;

  it("reads a finding back from its marker, even when its title holds `-->`", () => {
    expect(readFindingData(body, signer)).toMatchObject({ fp: id.fingerprint, key: id.problemKey, n: 2, title: "Raw SQL -->", severity: "high" });
  });

  it("finds the code again after it moved (same fingerprint), and not after it changed", () => {
    const moved = diffOf("import os\n\nx  =  raw(sql)\ny = run(x)\n");
    expect(identify({ ...finding, line: 4, startLine: 3 }, moved).fingerprint).toBe(id.fingerprint);
    expect(locateCode(readFindingData(body, signer)!, moved)).toEqual({ startLine: 3, line: 4 });
    expect(locateCode(readFindingData(body, signer)!, diffOf("x = safe(sql)\ny = run(x)\n"))).toBeUndefined();
  });

  it("counts only the bot's own markers, and marks resolved and ignored threads", () => {
    const prior = priorFindings(
      [
        comment({ id: 1, body }),
        comment({ id: 2, body, author: "mallory" }),
        comment({ id: 3, inReplyTo: 1, body: `Ignored.\n\n${ignoredMarker({ fp: id.fingerprint, by: "maya" }, signer)}` }),
      ],
      trust,
    );
    expect(prior).toEqual([expect.objectContaining({ commentId: 1, state: "ignored", dismissedBy: "maya" })]);
    expect(priorFindings([comment({ id: 1, body })], { ...trust, resolved: new Map([[1, "maya"]]) })[0]).toMatchObject({ state: "resolved", dismissedBy: "maya" });
    expect(priorFindings([comment({ id: 1, body, author: "mallory" })], trust)).toEqual([]);
  });
});
