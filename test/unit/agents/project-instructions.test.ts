import { instructionsFor, loadProjectInstructions } from "../../../src/agents/project-instructions.js";

const AWS_ID = ["AKIA", "Q3EGRU7K5ZW4XH2M"].join("");

describe("project instructions", () => {
  it("reads CLAUDE.md, REVIEW.md and AGENTS.md at the root and in backend/, capped and reported", async () => {
    const files: Record<string, string> = {
      "CLAUDE.md": "Use django-tenants' schema_context for cross-tenant work.",
      "backend/AGENTS.md": "x".repeat(50),
      "backend/REVIEW.md": `Never log ${AWS_ID}.`,
    };
    const asked: string[] = [];
    const result = await loadProjectInstructions(async (path) => {
      asked.push(path);
      return files[path];
    }, { perFile: 40, total: 100 });
    expect(asked.sort()).toEqual(["AGENTS.md", "CLAUDE.md", "REVIEW.md", "backend/AGENTS.md", "backend/CLAUDE.md", "backend/REVIEW.md"]);
    expect(result.files).toEqual([
      { path: "CLAUDE.md", chars: 57, kept: 40 },
      { path: "backend/REVIEW.md", chars: 31, kept: 31 },
      { path: "backend/AGENTS.md", chars: 50, kept: 29 },
    ]);
    expect(result.cut).toBe(true);
    expect(result.text).toContain('<project_instructions path="CLAUDE.md">\nUse django-tenants\' schema_context for c\n[cut: 17 more characters not shown]');
    expect(result.text).not.toContain(AWS_ID);
  });

  it("is empty when the repository has none", async () => {
    expect(await loadProjectInstructions(async () => undefined)).toEqual({ text: "", files: [], cut: false });
  });

  it("picks the config's path-scoped instructions for the files of a request", () => {
    const config = [
      { paths: ["backend/**/migrations/**"], text: "Migrations must be reversible." },
      { paths: ["backend/billing/**"], text: "Money is Decimal." },
    ];
    expect(instructionsFor(["backend/orgs/migrations/0004_x.py", "backend/orgs/models.py"], config)).toEqual(["Migrations must be reversible."]);
    expect(instructionsFor(["frontend/app.ts"], config)).toEqual([]);
  });
});
