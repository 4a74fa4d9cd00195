/**
 * SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`) and
 * other SARIF viewers. Each deterministic rule is a SARIF rule; model findings are
 * grouped by category (`model/security`, ...). The fingerprint goes into
 * `partialFingerprints`, so code scanning tracks a finding across pushes the way
 * the App's review comments do.
 */
import type { Log, ReportingDescriptor, Result } from "sarif";
import { RULES } from "../rules/index.js";
import { newFileRange } from "../review/analyse-findings.js";
import type { ReportedFinding } from "../review/summary.js";
import { severityRank, type Finding, type Severity } from "../domain/findings.js";
import { codeLines } from "./format-text.js";
import type { LocalReview } from "./local-review.js";

const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

/** GitHub's `security-severity` scale: critical ≥ 9.0, high 7.0-8.9, medium 4.0-6.9, low < 4. */
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

const ruleIdOf = (f: Finding) => (f.source === "model" ? `model/${f.category}` : f.source.slice("rule:".length));

/** A repository path as a relative URI reference (spaces and the like percent-encoded). */
const uriOf = (path: string) => path.split("/").map(encodeURIComponent).join("/");

function ruleOf(id: string, findings: readonly Finding[]): ReportingDescriptor {
  const worst = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
  const rule = RULES.find((r) => r.id === id);
  const category = rule?.category ?? worst?.category ?? "maintainability";
  const security = category === "security" || category === "tenancy";
  const score = worst && security ? SECURITY_SEVERITY[worst.severity] : undefined;
  return {
    id,
    shortDescription: { text: rule?.title ?? `${category} finding by the model` },
    defaultConfiguration: { level: LEVEL[worst?.severity ?? rule?.defaultSeverity ?? "info"] },
    properties: { tags: [...new Set([category, ...(security ? ["security"] : [])])], ...(score ? { "security-severity": score } : {}) },
  };
}

function resultOf(reported: ReportedFinding, ruleIndex: number, review: LocalReview): Result {
  const { finding } = reported;
  const file = review.diffs.find((d) => d.path === finding.path);
  const range = newFileRange(finding, file);
  const snippet = finding.side === "RIGHT" ? codeLines(finding, file).map((l) => l.text).join("\n") : "";
  return {
    ruleId: ruleIdOf(finding),
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: `${finding.title}\n\n${finding.body.trim()}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(finding.path), uriBaseId: "%SRCROOT%" },
          ...(range ? { region: { startLine: range.start, endLine: range.end, ...(snippet ? { snippet: { text: snippet } } : {}) } } : {}),
        },
      },
    ],
    partialFingerprints: { "backendAgentFinding/v1": reported.fingerprint },
    properties: {
      severity: finding.severity,
      category: finding.category,
      confidence: finding.confidence,
      source: finding.source,
      side: finding.side,
      ...(finding.side === "LEFT" ? { oldLine: finding.line } : {}),
    },
  };
}

/** The review as one SARIF log with one run. */
export function toSarif(review: LocalReview, version: string): Log {
  const findings = review.report.findings;
  const ids = [...new Set(findings.map((f) => ruleIdOf(f.finding)))];
  const rules = ids.map((id) => ruleOf(id, findings.map((f) => f.finding).filter((f) => ruleIdOf(f) === id)));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "backend-agent", semanticVersion: version, rules } },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The root of the git repository that was reviewed." } } },
        invocations: [
          {
            executionSuccessful: review.report.problems.length === 0,
            toolExecutionNotifications: review.report.problems.map((text) => ({ level: "warning" as const, message: { text } })),
          },
        ],
        results: findings.map((f) => resultOf(f, ids.indexOf(ruleIdOf(f.finding)), review)),
      },
    ],
  };
}
