/**
 * Where a worker thread's module is. Built (dist/, `npm start`, Docker) the entry is
 * plain JavaScript next to this module. From the sources (tsx in development and
 * tests, jest's SWC in-process) this module is a `.ts` file: the thread starts at
 * tsx-thread.mjs, which registers tsx in the thread and loads the `.ts` entry named by
 * `tsxEntry` in the pool's workerData (a `--import tsx` in a thread's execArgv does
 * not reach its module loader on Node 20).
 */
export function threadEntry(builtUrl: URL): { filename: string; workerData: { tsxEntry?: string } } {
  if (!import.meta.url.endsWith(".ts")) return { filename: builtUrl.href, workerData: {} };
  return { filename: new URL("./tsx-thread.mjs", import.meta.url).href, workerData: { tsxEntry: builtUrl.href.replace(/\.js$/, ".ts") } };
}
