import picomatch from "picomatch";
import type { ReviewSettings } from "../config/repo-config.js";
import type { ChangedFile } from "../diff/types.js";

/** Files that are never worth a model's attention, whatever `paths` says (the rules still read them). */
const ALWAYS_SKIPPED: Array<[string, string]> = [
  ["**/{uv.lock,poetry.lock,Pipfile.lock,package-lock.json,yarn.lock,pnpm-lock.yaml}", "lockfile"],
  ["**/{vendor,vendored,node_modules,staticfiles,static/dist}/**", "vendored or built files"],
  ["**/*.{min.js,min.css,map,svg,png,jpg,jpeg,gif,ico,pdf,woff,woff2,ttf,pyc,mo}", "generated or binary asset"],
  ["**/{*_pb2.py,*_pb2_grpc.py,*_pb2.pyi,generated/**}", "generated code"],
];

/**
 * The PR's files in `paths`: those the model reviews, and those it skips on purpose
 * (with the reason). The deterministic rules and the secret scan read both: a skip
 * glob is a statement about the model's attention, not about what may go unchecked.
 */
export interface FileSelection {
  /** For the model (and the rules). */
  selected: ChangedFile[];
  /** Skipped by the model only, with the reason: intentional, not "unreviewed". */
  skipped: Array<{ path: string; reason: string }>;
  /** The skipped files themselves, for the rules. */
  skippedFiles: ChangedFile[];
  /** Files outside `paths`: not counted as skipped, just not ours. */
  outside: number;
}

/** Applies `paths`, then `ignore` and the always-skipped kinds (model only). Removed files stay: a deletion can be the problem. */
export function selectFiles(files: readonly ChangedFile[], settings: Pick<ReviewSettings, "paths" | "ignore">): FileSelection {
  const inPaths = picomatch(settings.paths, { dot: true });
  const ignored = settings.ignore.length ? picomatch(settings.ignore, { dot: true }) : () => false;
  const always = ALWAYS_SKIPPED.map(([glob, reason]) => [picomatch(glob, { dot: true }), reason] as const);
  const selection: FileSelection = { selected: [], skipped: [], skippedFiles: [], outside: 0 };
  for (const file of files) {
    if (!inPaths(file.path)) {
      selection.outside++;
      continue;
    }
    const reason = ignored(file.path) ? "matches `ignore`" : always.find(([matches]) => matches(file.path))?.[1];
    if (reason) {
      selection.skipped.push({ path: file.path, reason });
      selection.skippedFiles.push(file);
    } else selection.selected.push(file);
  }
  return selection;
}
