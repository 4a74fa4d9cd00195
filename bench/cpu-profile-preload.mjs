/**
 * Preloaded into the app by bench/main-thread-profile.ts (`NODE_OPTIONS=--import …`:
 * `--cpu-prof` is not allowed there): profiles the main thread only, from a SIGUSR2
 * (the bench sends it once the app listens, so start-up is left out) to exit, and
 * writes the profile to `$BENCH_CPU_PROFILE` on exit.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { isMainThread } from "node:worker_threads";

const target = process.env.BENCH_CPU_PROFILE;
if (isMainThread && target) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  process.once("SIGUSR2", () => session.post("Profiler.start"));
  // A session on its own thread answers synchronously, so this runs to the end inside the exit handler.
  process.on("exit", () => session.post("Profiler.stop", (error, result) => void (error ? undefined : writeFileSync(target, JSON.stringify(result.profile)))));
}
