/**
 * The app reviewing through Amazon Bedrock, Google Vertex AI and Microsoft Foundry with the
 * official SDKs, against the fake API behind each provider's paths and credentials
 * (test/support/fake-provider-routes.ts). Credentials are static, so no AWS or Google
 * credential chain runs; the metadata endpoints point at loopback all the same.
 */
import { startHarness, type Harness } from "../support/app-harness.js";
import { toolResultsOf } from "../support/data-blocks.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";

process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.GCE_METADATA_HOST = "127.0.0.1:9";
process.env.GCE_METADATA_IP = "127.0.0.1:9";
// Google's default credentials never probe a metadata server (gcp-metadata's own switch).
process.env.METADATA_SERVER_DETECTION = "none";

interface Case {
  provider: "bedrock" | "vertex" | "foundry";
  label: string;
  env: (url: string) => Record<string, string>;
  /** The credential the fake must see. */
  credential: string;
  /** The model id the provider must be sent. */
  model: string;
  /** Whether answers come through `output_config.format` (else a forced tool call). */
  native: boolean;
  authFailure: string;
}

const CASES: Case[] = [
  {
    provider: "bedrock", label: "Amazon Bedrock", credential: "AKIDFAKEEXAMPLE", model: "global.anthropic.claude-sonnet-5-5", native: true,
    env: (url) => ({ MODEL_PROVIDER: "bedrock", AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIDFAKEEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake-secret-key", ANTHROPIC_BEDROCK_BASE_URL: url }),
    authFailure: "The model call failed: Amazon Bedrock refused the credentials, or their access to this model (403).",
  },
  {
    provider: "vertex", label: "Google Vertex AI", credential: "ya29.fake-access-token", model: "claude-sonnet-5-5", native: false,
    env: (url) => ({ MODEL_PROVIDER: "vertex", CLOUD_ML_REGION: "us-east5", ANTHROPIC_VERTEX_PROJECT_ID: "acme-ml", ANTHROPIC_VERTEX_ACCESS_TOKEN: "ya29.fake-access-token", ANTHROPIC_VERTEX_BASE_URL: `${url}/v1` }),
    authFailure: "The model call failed: Google Vertex AI rejected the credentials (401).",
  },
  {
    provider: "foundry", label: "Microsoft Foundry", credential: "foundry-fake-key", model: "claude-sonnet-5-5", native: false,
    env: (url) => ({ MODEL_PROVIDER: "foundry", ANTHROPIC_FOUNDRY_BASE_URL: `${url}/anthropic/`, ANTHROPIC_FOUNDRY_API_KEY: "foundry-fake-key" }),
    authFailure: "The model call failed: Microsoft Foundry rejected the credentials (401).",
  },
];

const viewsPr = { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } };
const allLine = lineOf(VIEWS_AFTER, "Invoice.objects.all()");

describe.each(CASES)("reviews through $label", (c) => {
  let h: Harness;
  beforeAll(async () => {
    // No Anthropic key: the provider's own credentials are all the app has.
    h = await startHarness((url) => ({ ANTHROPIC_API_KEY: undefined, ANTHROPIC_BASE_URL: undefined, ...c.env(url) }));
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.anthropic.reset();
    h.anthropic.apiKey = c.credential;
  });

  it("posts the model's finding, names provider and model, and says how answers were held to the schema", async () => {
    const sha = h.openPullRequest(1, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { summary: "Scoping removed.", findings: [modelFinding({ line: allLine, category: "tenancy", severity: "critical", title: "Queryset is no longer scoped to the tenant" })] } });
    await h.deliver("opened", 1, sha);
    const check = await h.completedCheck(sha);

    expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 critical" } });
    expect(check.output.summary).toContain(`Model \`${c.model}\` on ${c.label} · 1 call`);
    const [request, ...more] = h.anthropic.requests;
    expect(more).toEqual([]);
    expect(request).toMatchObject({ provider: c.provider, apiKey: c.credential, body: { model: c.model } });
    // The system prompt is still marked for caching on every provider.
    expect(JSON.stringify(request!.body.system)).toContain('"cache_control":{"type":"ephemeral"}');
    if (c.native) {
      expect(request!.body.output_config).toMatchObject({ format: { type: "json_schema" } });
      // The repository tools only: no answer tool.
      expect((request!.body.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(["read_file", "grep", "glob"]);
      expect(check.output.summary).not.toContain("forced tool call");
    } else {
      expect(request!.body.output_config).toBeUndefined();
      // Beside the repository tools the model must call one: reading, or the answer tool.
      expect((request!.body.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(["submit_answer", "read_file", "grep", "glob"]);
      expect(request!.body.tool_choice).toEqual({ type: "any" });
      expect(check.output.summary).toContain("Answers came through a forced tool call instead of native structured output");
    }
    const review = h.github.reviews("acme", "platform", 1)[0];
    expect(review!.comments.map((comment) => comment.line)).toEqual([allLine]);
  });

  it("ends the check with a clear message when the provider refuses the credentials", async () => {
    h.anthropic.apiKey = "someone-else";
    const sha = h.openPullRequest(2, viewsPr);
    await h.deliver("opened", 2, sha);
    const check = await h.completedCheck(sha);

    expect(check.conclusion).not.toBe("success");
    expect(check.output.summary).toContain(c.authFailure);
    expect(check.output.summary).toContain("- `backend/billing/views.py` — not reviewed: the model request failed");
    // Refused credentials are not retried.
    expect(h.anthropic.requests).toHaveLength(1);
  });

  it("lets the model read the head commit through its tools, then takes its answer", async () => {
    const sha = h.openPullRequest(4, viewsPr);
    h.anthropic.enqueue(
      { kind: "tool_use", calls: [{ name: "read_file", input: { path: "backend/billing/views.py" } }] },
      { kind: "json", value: { summary: "Scoping removed.", findings: [modelFinding({ line: allLine, category: "tenancy", severity: "critical", title: "Queryset is no longer scoped to the tenant" })] } },
    );
    await h.deliver("opened", 4, sha);
    const check = await h.completedCheck(sha);

    expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 critical" } });
    expect(check.output.summary).toMatch(/tools: 1 turn, 1 file read/);
    const [, second, ...more] = h.anthropic.requests;
    expect(more).toEqual([]);
    expect(toolResultsOf(second!)[0]!.text).toContain("return Invoice.objects.all()");
    if (!c.native) expect(second!.body.tool_choice).toEqual({ type: "any" });
  });

  it("reports provider and model on /readyz without calling the model", async () => {
    const ready = (await (await fetch(`${h.app.metricsUrl}/readyz`)).json()) as { model: unknown };
    expect(ready.model).toMatchObject({ provider: c.provider, model: c.model });
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("a repository asking for a model the provider does not offer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((url) => ({ ANTHROPIC_API_KEY: undefined, ...CASES[1]!.env(url) }));
  });
  afterAll(() => h.stop());

  it("ends the check saying which model and which provider, without a model call", async () => {
    h.anthropic.apiKey = CASES[1]!.credential;
    h.github.setFile("acme", "platform", ".github/backend-agent.yml", "model: gpt-4o\n");
    const sha = h.openPullRequest(3, viewsPr);
    await h.deliver("opened", 3, sha);
    const check = await h.completedCheck(sha);

    expect(check.output.title).toBe("Review could not run (review incomplete)");
    expect(check.output.summary).toContain("The model \"gpt-4o\" is not offered by Google Vertex AI: use sonnet, opus or haiku, or one of its model ids.");
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("Bedrock without keys in the app's settings", () => {
  let h: Harness;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(async () => {
    // AWS's default chain reads the process environment first, so it never reaches a metadata service here.
    process.env.AWS_ACCESS_KEY_ID = "AKIDFROMTHECHAIN";
    process.env.AWS_SECRET_ACCESS_KEY = "chain-secret";
    h = await startHarness((url) => ({ ANTHROPIC_API_KEY: undefined, MODEL_PROVIDER: "bedrock", AWS_REGION: "us-west-2", BEDROCK_INFERENCE_PROFILE: "us", ANTHROPIC_BEDROCK_BASE_URL: url }));
  });
  afterAll(async () => {
    await h.stop();
    for (const [name, value] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("signs with the credentials of AWS's default chain, for the configured region and profile", async () => {
    h.anthropic.apiKey = "AKIDFROMTHECHAIN";
    const sha = h.openPullRequest(4, viewsPr);
    await h.deliver("opened", 4, sha);
    const check = await h.completedCheck(sha);

    expect(check.conclusion).toBe("success");
    expect(h.anthropic.requests).toEqual([expect.objectContaining({ provider: "bedrock", apiKey: "AKIDFROMTHECHAIN", path: "/model/us.anthropic.claude-sonnet-5-5/invoke" })]);
    expect(String(h.anthropic.requests[0]!.headers["authorization"])).toContain("/us-west-2/bedrock/aws4_request");
  });
});

describe("Vertex AI without credentials on the machine", () => {
  let h: Harness;
  const savedAdc = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  beforeAll(async () => {
    // Application Default Credentials with nothing to find: no file, no gcloud login, no metadata server.
    process.env.GOOGLE_APPLICATION_CREDENTIALS = "/nonexistent/adc.json";
    h = await startHarness((url) => ({ ANTHROPIC_API_KEY: undefined, MODEL_PROVIDER: "vertex", CLOUD_ML_REGION: "global", ANTHROPIC_VERTEX_PROJECT_ID: "acme-ml", ANTHROPIC_VERTEX_BASE_URL: `${url}/v1` }));
  });
  afterAll(async () => {
    await h.stop();
    if (savedAdc === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = savedAdc;
  });

  it("starts, then ends the check saying the credentials could not be had, without a request", async () => {
    const sha = h.openPullRequest(5, viewsPr);
    await h.deliver("opened", 5, sha);
    const check = await h.completedCheck(sha);

    expect(check.conclusion).not.toBe("success");
    expect(check.output.summary).toContain("was not reviewed by the model: Google Vertex AI could not be reached (Failed to acquire Google OAuth credentials).");
    expect(h.anthropic.requests).toEqual([]);
  });
});
