import { eventLabel, statusLabel } from "../../../src/http/metric-labels.js";

it("takes event labels from the allow-list only", () => {
  expect(eventLabel("pull_request")).toBe("pull_request");
  expect(eventLabel("issue_comment")).toBe("issue_comment");
  expect(eventLabel(`random-${Math.random()}`)).toBe("other");
  expect(eventLabel("constructor")).toBe("other");
  expect(eventLabel(["pull_request", "ping"])).toBe("other");
  expect(eventLabel(undefined)).toBe("none");
});

it("takes status labels from HTTP codes only", () => {
  expect([200, 413, 503, 0].map(statusLabel)).toEqual(["200", "413", "503", "0"]);
  expect([99, 600, 1e9, -1, 200.5, "200", undefined].map(statusLabel)).toEqual(Array(7).fill("other"));
});
