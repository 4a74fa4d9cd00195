import type { PullReviewComment } from "../../../src/github/review-comments.js";
import { findingDataMarker, ignoredMarker, readFindingData, readIgnored } from "../../../src/review/finding-marker.js";
import { identify } from "../../../src/domain/fingerprint.js";
import { createMarkerSigner } from "../../../src/review/marker-signer.js";
import { priorFindings } from "../../../src/review/prior-findings.js";
import type { Finding } from "../../../src/domain/findings.js";

const PR = { owner: "acme", repo: "api", pullNumber: 7 };
const signer = createMarkerSigner("webhook-secret").forPull(PR);
const finding: Finding = { path: "backend/a.py", line: 2, side: "RIGHT", severity: "high", category: "security", title: "Raw SQL", body: "b", confidence: 0.9, source: "model" };
const id = identify(finding, undefined);
const dataMarker = findingDataMarker(finding, id, signer);
const BOT = "backend-agent[bot]";
const comment = (over: Partial<PullReviewComment>): PullReviewComment => ({ id: 1, inReplyTo: undefined, body: "", author: BOT, path: "backend/a.py", line: 2, side: "RIGHT", commitId: "c", ...over });

/** The token of a marker, and the marker rebuilt around another token. */
const tokenOf = (marker: string) => /(v1\.[^ ]+) -->/.exec(marker)![1]!;

describe("signed markers", () => {
  it("reads back a marker signed for this PR", () => {
    expect(readFindingData(dataMarker, signer)).toMatchObject({ fp: id.fingerprint, title: "Raw SQL", severity: "high" });
    expect(readIgnored(ignoredMarker({ fp: id.fingerprint, by: "maya" }, signer), signer)).toEqual([{ fp: id.fingerprint, by: "maya" }]);
  });

  it("ignores a marker copied to another PR or repository (case of the names does not matter)", () => {
    expect(readFindingData(dataMarker, createMarkerSigner("webhook-secret").forPull({ ...PR, pullNumber: 8 }))).toBeUndefined();
    expect(readFindingData(dataMarker, createMarkerSigner("webhook-secret").forPull({ ...PR, repo: "web" }))).toBeUndefined();
    expect(readFindingData(dataMarker, createMarkerSigner("webhook-secret").forPull({ ...PR, owner: "ACME", repo: "API" }))).toBeDefined();
  });

  it("ignores an edited marker: changed content, changed MAC, or one kind passed off as another", () => {
    const token = tokenOf(dataMarker);
    const [v, data, mac] = token.split(".") as [string, string, string];
    const json = JSON.parse(Buffer.from(data, "base64url").toString("utf8")) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...json, severity: "info" })).toString("base64url");
    expect(readFindingData(dataMarker.replace(token, `${v}.${edited}.${mac}`), signer)).toBeUndefined();
    const flipped = `${mac.slice(0, 10)}${mac[10] === "A" ? "B" : "A"}${mac.slice(11)}`;
    expect(readFindingData(dataMarker.replace(token, `${v}.${data}.${flipped}`), signer)).toBeUndefined();
    const ignored = ignoredMarker({ fp: id.fingerprint, by: "maya" }, signer);
    // A valid `ignored` token inside a finding-data marker (and the other way round) does not verify.
    expect(readFindingData(dataMarker.replace(token, tokenOf(ignored)), signer)).toBeUndefined();
    expect(readIgnored(ignored.replace(tokenOf(ignored), token), signer)).toEqual([]);
  });

  it("ignores a marker made with another key", () => {
    expect(readFindingData(dataMarker, createMarkerSigner("another-secret").forPull(PR))).toBeUndefined();
    expect(readIgnored(ignoredMarker({ fp: id.fingerprint, by: "maya" }, createMarkerSigner("another-secret").forPull(PR)), signer)).toEqual([]);
  });

  it("treats unsigned markers (the format before signing) as absent", () => {
    const unsigned = `<!-- backend-agent:finding-data ${Buffer.from(JSON.stringify({ fp: id.fingerprint })).toString("base64url")} -->`;
    expect(readFindingData(unsigned, signer)).toBeUndefined();
    expect(readIgnored(`<!-- backend-agent:ignored ${id.fingerprint} -->`, signer)).toEqual([]);
  });
});

describe("prior findings", () => {
  const trust = { app: { botLogin: BOT }, signer };
  const ignoredReply = (over: Partial<PullReviewComment>) => comment({ id: 2, inReplyTo: 1, body: `Ignored.\n\n${ignoredMarker({ fp: id.fingerprint, by: "maya" }, signer)}`, ...over });

  it("counts the app's own signed markers, with who dismissed", () => {
    expect(priorFindings([comment({ body: dataMarker })], trust)).toEqual([expect.objectContaining({ commentId: 1, state: "posted" })]);
    expect(priorFindings([comment({ body: dataMarker }), ignoredReply({})], trust)).toEqual([expect.objectContaining({ state: "ignored", dismissedBy: "maya" })]);
    expect(priorFindings([comment({ body: dataMarker })], { ...trust, resolved: new Map([[1, "lead"]]) })).toEqual([expect.objectContaining({ state: "resolved", dismissedBy: "lead" })]);
  });

  it("ignores a valid marker copied by a person or by another bot", () => {
    expect(priorFindings([comment({ body: dataMarker, author: "mallory" })], trust)).toEqual([]);
    expect(priorFindings([comment({ body: dataMarker, author: "evil-app[bot]" })], trust)).toEqual([]);
    expect(priorFindings([comment({ body: dataMarker }), ignoredReply({ author: "mallory" })], trust)[0]?.state).toBe("posted");
    expect(priorFindings([comment({ body: dataMarker }), ignoredReply({ author: "renovate[bot]" })], trust)[0]?.state).toBe("posted");
  });

  it("ignores the app's own comments whose markers are unsigned or signed for another PR", () => {
    const other = createMarkerSigner("webhook-secret").forPull({ ...PR, pullNumber: 9 });
    expect(priorFindings([comment({ body: findingDataMarker(finding, id, other) })], trust)).toEqual([]);
    const copiedIgnore = ignoredReply({ body: ignoredMarker({ fp: id.fingerprint, by: "maya" }, other) });
    expect(priorFindings([comment({ body: dataMarker }), copiedIgnore], trust)[0]?.state).toBe("posted");
    expect(priorFindings([comment({ body: dataMarker }), ignoredReply({ body: `<!-- backend-agent:ignored ${id.fingerprint} -->` })], trust)[0]?.state).toBe("posted");
  });
});
