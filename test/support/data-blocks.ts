/**
 * Reading the data blocks of a prompt the app sent: `<name_<nonce>>…</name_<nonce>>`,
 * where the nonce is 16 hex characters, random per request (src/engine/data-frame.ts).
 */
import type { RecordedMessageRequest } from "./fake-anthropic.js";

/** The user turn's text of a request (its messages, in order). */
export function userTextOf(request: RecordedMessageRequest): string {
  const messages = Array.isArray(request.body.messages) ? request.body.messages : [];
  return messages
    .map((m) => (typeof m.content === "string" ? m.content : m.content.map((b) => ("text" in b && typeof b.text === "string" ? b.text : "")).join("\n")))
    .join("\n");
}

/**
 * The text inside the one data block `name` of a prompt text, or undefined when
 * there is none. Fails the test when there are several, or when the block's suffix
 * is not the one the request names for its blocks.
 */
export function dataBlock(text: string, name: string): string | undefined {
  const blocks = [...text.matchAll(new RegExp(`(?:^|\\n)<${name}_([0-9a-f]{16})>\\n([\\s\\S]*?)\\n</${name}_\\1>(?=\\n|$)`, "g"))];
  if (blocks.length > 1) throw new Error(`${blocks.length} <${name}_…> blocks in one text`);
  const [block] = blocks;
  if (!block) return undefined;
  if (!text.includes(`end in "_${block[1]}", a random suffix of this request`)) throw new Error(`the request does not name the suffix of <${name}_${block[1]}>`);
  return block[2];
}

/** The tool results in a request's last user turn, in order, as the model reads them. */
export function toolResultsOf(request: RecordedMessageRequest): Array<{ text: string; isError: boolean }> {
  const last = (request.body.messages as Array<{ content: unknown }> | undefined)?.at(-1)?.content;
  return (Array.isArray(last) ? (last as Array<Record<string, unknown>>) : [])
    .filter((b) => b["type"] === "tool_result")
    .map((b) => ({ text: String(b["content"]), isError: b["is_error"] === true }));
}
