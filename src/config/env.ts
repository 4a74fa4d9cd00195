import { z } from "zod";
import { providerProblems } from "../engine/providers/provider-settings.js";

/** Where the model can run (MODEL_PROVIDER). */
export const MODEL_PROVIDERS = ["anthropic", "bedrock", "vertex", "foundry"] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A daily ceiling: a non-negative number, where 0 or `off` means no ceiling. */
const ceiling = (fallback: number) =>
  z
    .union([z.literal("off"), z.coerce.number().min(0, "must be 0 or more (0 or off: no ceiling)")])
    .default(fallback)
    .transform((value) => (value === "off" ? 0 : value));
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

/**
 * Everything the process reads from its environment, validated once at start-up.
 * Probot reads its own variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, ...) again
 * itself; they are listed here so that a bad value stops the process with one line.
 */
export const envSchema = z
  .object({
    APP_ID: z
      .string()
      .regex(/^\d+$/, "must be the numeric App ID from the GitHub App's settings page")
      .optional(),
    PRIVATE_KEY: optionalText,
    PRIVATE_KEY_PATH: optionalText,
    WEBHOOK_SECRET: optionalText,
    WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("localhost"),
    /** Serves /metrics and /readyz on this port instead of PORT (which then keeps /healthz and the webhook only). */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Interface of METRICS_PORT; HOST when unset. */
    METRICS_HOST: optionalText,
    /** When set, /metrics and /readyz answer only `Authorization: Bearer <token>` (401 otherwise). */
    METRICS_TOKEN: optionalText,
    /** Time a client has to send a whole request (webhook body included), in seconds. */
    REQUEST_TIMEOUT_SECONDS: positiveInt(30),
    /** Time a client has to send a request's headers, in seconds. */
    HEADERS_TIMEOUT_SECONDS: positiveInt(10),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
    GHE_HOST: optionalText,
    GHE_PROTOCOL: z.enum(["http", "https"]).default("https"),
    /** Where the model runs: the Anthropic API, Amazon Bedrock, Google Vertex AI or Microsoft Foundry, each with its own credentials (below). */
    MODEL_PROVIDER: z.enum(MODEL_PROVIDERS).default("anthropic"),
    /** `auto`: the provider's native `output_config.format` where it is generally available (Anthropic API, Bedrock), else a forced tool call (Vertex AI keeps it behind an organisation policy; Foundry has it in beta). `native` or `tool` forces one. */
    MODEL_STRUCTURED_OUTPUT: z.enum(["auto", "native", "tool"]).default("auto"),
    ANTHROPIC_API_KEY: optionalText,
    ANTHROPIC_BASE_URL: z.url().optional(),
    /** Bedrock: the AWS region (required with MODEL_PROVIDER=bedrock). Credentials come from AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), or AWS's default chain (profile, SSO, web identity, ECS, EC2 instance role). */
    AWS_REGION: optionalText,
    AWS_ACCESS_KEY_ID: optionalText,
    AWS_SECRET_ACCESS_KEY: optionalText,
    AWS_SESSION_TOKEN: optionalText,
    /** Bedrock: an Amazon Bedrock API key, used instead of AWS credentials. */
    AWS_BEARER_TOKEN_BEDROCK: optionalText,
    /** Bedrock: the cross-region inference profile put before model ids (`global`, `us`, `eu`, `apac`, `jp`, `au`), or `none` for in-region ids. Regional profiles cost 10% more than `global`. */
    BEDROCK_INFERENCE_PROFILE: z.enum(["global", "us", "eu", "apac", "jp", "au", "none"]).default("global"),
    /** Bedrock: another endpoint (a VPC endpoint or a proxy) instead of bedrock-runtime.<region>.amazonaws.com. */
    ANTHROPIC_BEDROCK_BASE_URL: z.url().optional(),
    /** Vertex AI: the region (`global`, `us`, `eu`, or one like `us-east5`); required with MODEL_PROVIDER=vertex. Regional endpoints cost 10% more than `global`. */
    CLOUD_ML_REGION: optionalText,
    /** Vertex AI: the Google Cloud project (required with MODEL_PROVIDER=vertex). Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, workload identity, the metadata server). */
    ANTHROPIC_VERTEX_PROJECT_ID: optionalText,
    /** Vertex AI: a ready OAuth access token (`gcloud auth print-access-token`) instead of Application Default Credentials; it expires (about an hour), so for the CLI and tests. */
    ANTHROPIC_VERTEX_ACCESS_TOKEN: optionalText,
    ANTHROPIC_VERTEX_BASE_URL: z.url().optional(),
    /** Foundry: the resource name (`https://<resource>.services.ai.azure.com/anthropic/`); or set ANTHROPIC_FOUNDRY_BASE_URL instead. */
    ANTHROPIC_FOUNDRY_RESOURCE: optionalText,
    ANTHROPIC_FOUNDRY_BASE_URL: z.url().optional(),
    /** Foundry: the resource's API key; or ANTHROPIC_FOUNDRY_AUTH_TOKEN, a Microsoft Entra ID token (it expires: for the CLI and tests). */
    ANTHROPIC_FOUNDRY_API_KEY: optionalText,
    ANTHROPIC_FOUNDRY_AUTH_TOKEN: optionalText,
    DATA_DIR: z.string().default("./data"),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
    /** Model used when neither the agent nor the repo names one. */
    DEFAULT_MODEL: z.string().default("sonnet"),
    /** Reviews running at once in this process. */
    REVIEW_CONCURRENCY: positiveInt(2),
    /**
     * Worker threads that run reviews (at most REVIEW_CONCURRENCY; the reviews are shared
     * out among them), so that the thread answering webhooks and health checks never waits
     * for one. 0 runs reviews in the webhook thread, as before this setting existed.
     */
    REVIEW_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
    /** A review thread still running one review after this long is stopped, and the review's check run completed as timed out. */
    REVIEW_WORKER_TIMEOUT_SECONDS: positiveInt(15 * 60),
    /** Heap limit of each review thread in MB: a review past it ends that thread (its check run says so), not the process. */
    REVIEW_WORKER_HEAP_MB: positiveInt(1024),
    /** Per-request timeout of a model call, in milliseconds. */
    MODEL_TIMEOUT_MS: positiveInt(120_000),
    /** SDK retries on 408/409/429/5xx (honouring retry-after) before the review reports the error. */
    MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    /** Output budget of one model call; large enough for ~40 findings. */
    MODEL_MAX_OUTPUT_TOKENS: positiveInt(8192),
    /** Input budget of the diff part of one model call, in estimated tokens (characters / 3.5; the "model stage done" log line gives `estimateRatio`, the estimate over the API's count); larger PRs are split into chunks. */
    CHUNK_INPUT_TOKENS: positiveInt(40_000),
    /** Per-review budgets: past any of them the review publishes what it has and says what it skipped. */
    MAX_REVIEW_INPUT_TOKENS: positiveInt(600_000),
    MAX_REVIEW_CHUNKS: positiveInt(30),
    MAX_REVIEW_SECONDS: positiveInt(600),
    MAX_REVIEW_COST_USD: z.coerce.number().positive().default(5),
    /** The model's read-only tools over the head commit (repo config `tools`): tool turns per request, and tool tokens per review (capped to half of MAX_REVIEW_INPUT_TOKENS). */
    TOOL_MAX_TURNS: z.coerce.number().int().min(0).max(50).default(8),
    TOOL_TOKEN_BUDGET: positiveInt(200_000),
    /** Head-commit snapshots cached under DATA_DIR/snapshots, least recently used evicted past this size. */
    SNAPSHOT_CACHE_MB: positiveInt(1024),
    /**
     * Daily (UTC) model spend ceilings, shared by every process (embedded store or Redis):
     * all reviews and answers of one installation, the reviews of one PR author, and the
     * `ask` answers of one installation. In USD from the price table, and optionally in
     * tokens (input + output + cache). 0 or `off`: no ceiling.
     */
    SPEND_INSTALLATION_DAILY_USD: ceiling(50),
    SPEND_AUTHOR_DAILY_USD: ceiling(10),
    SPEND_ASK_DAILY_USD: ceiling(5),
    SPEND_INSTALLATION_DAILY_TOKENS: ceiling(0),
    SPEND_AUTHOR_DAILY_TOKENS: ceiling(0),
    SPEND_ASK_DAILY_TOKENS: ceiling(0),
    /** How often a running review looks for a newer head of its PR (and then stops its model calls). */
    HEAD_CHECK_INTERVAL_MS: positiveInt(2_000),
    /**
     * `all` serves webhooks and runs reviews; with REDIS_URL, `web` only enqueues and
     * `worker` only runs jobs (the embedded queue needs `all`: it lives in one process).
     */
    PROCESS_ROLE: z.enum(["all", "web", "worker"]).default("all"),
    /** Redis key prefix of the BullMQ queue: deployments (or test runs) sharing a Redis keep apart. */
    QUEUE_PREFIX: z.string().regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-'").default("backend-agent"),
    /**
     * BullMQ job lock: a worker that stops renewing it (killed) loses the job to
     * another worker after about this long.
     */
    QUEUE_LOCK_MS: positiveInt(30_000),
    /** Attempts of a job whose handler fails before its check run exists (BullMQ retries with backoff). */
    JOB_ATTEMPTS: positiveInt(3),
    /** Jobs of one installation running at once across all workers (BullMQ), so one busy org cannot starve the others. */
    INSTALLATION_CONCURRENCY: positiveInt(4),
    /** On SIGTERM, how long running reviews may finish before the process exits and leaves them to the next start. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
    /** A check run of ours still `in_progress` after this long is completed as `timed_out` by the watchdog. */
    CHECK_RUN_TIMEOUT_SECONDS: positiveInt(20 * 60),
    /** How often the watchdog looks for stuck check runs. */
    WATCHDOG_INTERVAL_MS: positiveInt(60_000),
    /**
     * Minimum gap between GitHub writes of this process. Unset: Octokit's throttling
     * (1 s, shared across processes through Redis when REDIS_URL is set), which GitHub asks for.
     */
    GITHUB_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).optional(),
    /** The agent definition shipped with the app. */
    AGENT_FILE: z.string().default("agents/backend-agent.md"),
  })
  .superRefine((env, ctx) => {
    for (const [variable, message] of providerProblems(env)) ctx.addIssue({ code: "custom", path: [variable], message });
    if (env.APP_ID && !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
      ctx.addIssue({
        code: "custom",
        path: ["PRIVATE_KEY"],
        message: "is required with APP_ID (or set PRIVATE_KEY_PATH to the .pem file)",
      });
    }
    if (env.APP_ID && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_SECRET"],
        message: "is required with APP_ID: set it to the secret entered in the GitHub App's webhook settings",
      });
    }
  });

/** The validated environment. */
export type Env = z.infer<typeof envSchema>;

/**
 * Validates `source` (process.env by default). A variable set to nothing (`LOG_FORMAT=`,
 * as in a copy of .env.example) counts as unset and takes its default. Throws an Error
 * whose message is one line per bad variable — never the value, which may be a secret.
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value?.trim())));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
  throw new Error(`Invalid environment: ${lines.join("; ")}`);
}
