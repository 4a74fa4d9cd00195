import picomatch from "picomatch";
import type { ReviewSettings } from "../config/repo-config.js";
import type { ChangedFile } from "../diff/types.js";

/** Files that are never worth a model's attention, whatever `paths` says. */
const ALWAYS_SKIPPED: Array<[string, string]> = [
  ["**/{uv.lock,poetry.lock,Pipfile.lock,package-lock.json,yarn.lock,pnpm-lock.yaml}", "lockfile"],
  ["**/{vendor,vendored,node_modules,staticfiles,static/dist}/**", "vendored or built files"],
  ["**/*.{min.js,min.css,map,svg,png,jpg,jpeg,gif,ico,pdf,woff,woff2,ttf,pyc}", "generated or binary asset"],
  ["**/{*_pb2.py,*_pb2_grpc.py,*_pb2.pyi,generated/**}", "generated code"],
];

/** The PR's files split into those to review and those skipped, with the reason. */
export interface FileSelection {
  selected: ChangedFile[];
  skipped: Array<{ path: string; reason: string }>;
  /** Files outside `paths`: not counted as skipped, just not ours. */
  outside: number;
}

/** Applies `paths`, `ignore` and the always-skipped kinds. Removed files stay: a deletion can be the problem. */
export function selectFiles(files: readonly ChangedFile[], settings: Pick<ReviewSettings, "paths" | "ignore">): FileSelection {
  const inPaths = picomatch(settings.paths, { dot: true });
  const ignored = settings.ignore.length ? picomatch(settings.ignore, { dot: true }) : () => false;
  const always = ALWAYS_SKIPPED.map(([glob, reason]) => [picomatch(glob, { dot: true }), reason] as const);
  const selection: FileSelection = { selected: [], skipped: [], outside: 0 };
  for (const file of files) {
    if (!inPaths(file.path)) {
      selection.outside++;
      continue;
    }
    const builtIn = always.find(([matches]) => matches(file.path))?.[1];
    if (ignored(file.path)) selection.skipped.push({ path: file.path, reason: "matches `ignore`" });
    else if (builtIn) selection.skipped.push({ path: file.path, reason: builtIn });
    else selection.selected.push(file);
  }
  return selection;
}
