import type { ModelClient } from "../engine/anthropic-client.js";

/**
 * Reports `chunks done/total` while the model stage runs. The stage has no
 * progress hook, so the client we created for this run counts its finished
 * `messages.create` calls (the SDK's own retries happen inside one call). Only a
 * chunk whose answer was unusable makes a second call, which the clamp absorbs.
 */
export function reportChunkProgress(client: ModelClient, total: number, report: (done: number, total: number) => void): void {
  const messages = client.messages;
  const original = messages.create.bind(messages);
  let done = 0;
  const finished = () => {
    done = Math.min(total, done + 1);
    report(done, total);
  };
  const counted = (...args: Parameters<typeof original>) => {
    const call = original(...args);
    // The caller awaits `call` itself and sees its rejection; this branch only counts.
    call.then(finished, finished);
    return call;
  };
  messages.create = counted as typeof messages.create;
}
