/**
 * The event-loop delay floor of the machine: an idle Node process beside the app,
 * measuring its own loop delay as the app does (perf_hooks.monitorEventLoopDelay at
 * prom-client's 10 ms resolution). What it sees is what the scheduler alone costs a
 * thread that does nothing (other processes on the cores), the A/A row of the
 * loop-delay figure. Each stdin line prints `{ "p99": ms, "max": ms }` since the last
 * one and starts a new window.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
for await (const _line of createInterface({ input: process.stdin })) {
  // As prom-client reports it (the app's /metrics): the histogram's figures as they are.
  console.log(JSON.stringify({ p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }));
  histogram.reset();
}
