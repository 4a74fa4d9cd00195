/**
 * The entry of a worker thread when the app runs from its TypeScript sources (tsx in
 * development and tests, jest): registers tsx in this thread, then loads the real entry
 * named in the pool's workerData. Built (dist/), threads load their `.js` entry directly.
 */
import { workerData } from "piscina";
import { register } from "tsx/esm/api";

register();
const entry = await import(workerData.tsxEntry);
export default entry.default;
