/**
 * The one call the review core needs for a model request with or without tools:
 * `tools` absent, turned off (`tools: false`) or empty for the agent → the plain
 * structured call; otherwise the bounded tool loop over the snapshot. Project
 * instructions (trusted, from the default branch) join the cached system part.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { z } from "zod";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import { checkFindings, checkVerdicts, reviewAnswerSchema, reviewOutputSchema, reviewWithVerdictsSchema, type CheckedFindings, type CheckedVerdicts } from "./findings-schema.js";
import { buildSystem } from "./prompt.js";
import { callStructured, type EngineOptions, type ModelClient, type EngineResult, type TokenUsage } from "./review-engine.js";
import { runToolLoop, type ToolLoopBudgets, type ToolStats } from "./tool-loop.js";
import { toolsForAgent } from "./tools/agent-tools.js";

/** What a request needs to offer tools: the snapshot and the review's budgets. */
export interface RequestTools {
  reader: SnapshotReader;
  budgets: ToolLoopBudgets;
}

/** A structured request of the review, `ask` or the CLI. */
export interface ModelRequest<T, A = T> {
  agent: AgentDefinition;
  user: string;
  schema: z.ZodType<T>;
  /** What makes an answer usable, when looser than `schema` (see `callStructured`). */
  accept?: z.ZodType<A> | undefined;
  /** `<project_instructions>` text from `loadProjectInstructions` ("" or absent: none). */
  projectInstructions?: string | undefined;
  signal?: AbortSignal | undefined;
  onUsage?: ((usage: TokenUsage) => void | Promise<void>) | undefined;
}

/**
 * The system part: the engine's and the agent's prompt, then the project's
 * instructions, with the cache breakpoint on the last block so both are cached.
 */
export function systemWithInstructions(agent: AgentDefinition, projectInstructions = "", tools = false): Anthropic.TextBlockParam[] {
  const system = buildSystem(agent, { tools });
  if (projectInstructions === "") return system;
  return [...system.map(({ cache_control: _cache, ...block }) => block), { type: "text", text: projectInstructions, cache_control: { type: "ephemeral" } }];
}

/**
 * Sends `request`: with the agent's tools when `tools` is given (pass it only when
 * the review's effective settings have `tools: true`), else exactly today's plain
 * structured call, whose cached prefix stays the same.
 */
export async function requestStructured<T, A = T>(
  client: ModelClient,
  options: EngineOptions,
  request: ModelRequest<T, A>,
  tools?: RequestTools | undefined,
): Promise<EngineResult<A> & { tools?: ToolStats | undefined }> {
  const names = tools ? toolsForAgent(request.agent.tools) : [];
  if (names.length === 0 && !request.projectInstructions) return callStructured(client, options, request);
  return runToolLoop(
    client,
    options,
    { system: systemWithInstructions(request.agent, request.projectInstructions, names.length > 0), user: request.user, schema: request.schema, accept: request.accept, tools: names, signal: request.signal, onUsage: request.onUsage },
    tools?.reader ?? NO_FILES,
    tools?.budgets ?? { tokens: { limit: 0, used: 0 } },
  );
}

/**
 * Reviews one chunk, with or without tools: the model's findings, each validated on
 * its own. Only an answer that is not an object with a findings array is retried; a
 * malformed finding (a confidence of 90 where the schema says 0..1: the API does not
 * enforce bounds the SDK moved into the description) is dropped with its reason, and
 * never costs the chunk's other findings. With `candidates` (the ids of the rule
 * candidates in the request), the answer also carries a verdict per candidate,
 * checked the same way.
 */
export async function reviewChunk(
  client: ModelClient,
  options: EngineOptions,
  request: Omit<ModelRequest<unknown>, "schema" | "accept">,
  tools?: RequestTools | undefined,
  candidates: ReadonlySet<string> = new Set(),
): Promise<EngineResult<CheckedFindings & { verdicts: CheckedVerdicts }> & { tools?: ToolStats | undefined }> {
  const schema = candidates.size > 0 ? reviewWithVerdictsSchema : reviewOutputSchema;
  const answer = await requestStructured(client, options, { ...request, schema, accept: reviewAnswerSchema }, tools);
  return { ...answer, output: { ...checkFindings(answer.output.findings), verdicts: checkVerdicts(answer.output.verdicts, candidates) } };
}

/** Stands in when no tool is offered: the loop never calls it. */
const NO_FILES: SnapshotReader = {
  label: "no snapshot",
  partial: undefined,
  readFile: async () => ({ isError: true, text: "no snapshot" }),
  grep: async () => ({ isError: true, text: "no snapshot" }),
  glob: async () => ({ isError: true, text: "no snapshot" }),
};
