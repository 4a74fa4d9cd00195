/**
 * The threshold sweep as a self-contained HTML page: precision (solid) and recall
 * (dashed) of each configuration against the confidence cut-off, drawn as inline
 * SVG (no script, no CDN: it opens from a CI artifact offline), with the numbers
 * in a table below.
 */
import type { EvalResult } from "./run-eval.js";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];
const W = 640;
const H = 400;
const PAD = 48;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const x = (cutoff: number) => PAD + cutoff * (W - 2 * PAD);
const y = (value: number) => H - PAD - value * (H - 2 * PAD);

function polyline(points: Array<[number, number | null]>, colour: string, dashed: boolean): string {
  const drawn = points.filter((p): p is [number, number] => p[1] !== null).map(([c, v]) => `${x(c).toFixed(1)},${y(v).toFixed(1)}`);
  return `<polyline fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ""} points="${drawn.join(" ")}"/>`;
}

/** The report page. */
export function sweepHtml(result: EvalResult): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const axes = [
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#333"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#333"/>`,
    ...ticks.flatMap((t) => [
      `<text x="${x(t)}" y="${H - PAD + 18}" text-anchor="middle" font-size="12">${t}</text>`,
      `<text x="${PAD - 8}" y="${y(t) + 4}" text-anchor="end" font-size="12">${t}</text>`,
      `<line x1="${PAD}" y1="${y(t)}" x2="${W - PAD}" y2="${y(t)}" stroke="#eee"/>`,
    ]),
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="13">confidence cut-off</text>`,
  ];
  const lines = result.runs.flatMap((run, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    return [
      polyline(run.sweep.map((p) => [p.cutoff, p.precision]), colour, false),
      polyline(run.sweep.map((p) => [p.cutoff, p.recall]), colour, true),
      `<text x="${W - PAD + 4}" y="${PAD + 16 * i}" font-size="12" fill="${colour}">${escape(run.config.name)}</text>`,
    ];
  });
  const rows = result.runs.flatMap((run) =>
    run.sweep.map((p) => `<tr><td>${escape(run.config.name)}</td><td>${p.cutoff.toFixed(2)}</td><td>${p.precision?.toFixed(2) ?? "-"}</td><td>${p.recall?.toFixed(2) ?? "-"}</td><td>${p.f1?.toFixed(2) ?? "-"}</td><td>${p.tp}</td><td>${p.fp}</td><td>${p.fn}</td></tr>`),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>backend-agent eval: threshold sweep</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}</style></head>
<body><h1>Threshold sweep</h1>
<p>${escape(result.date)} · ${result.cases} cases (${result.clean} clean) · ${result.problems} known problems. Solid: precision; dashed: recall.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${W + 120}" height="${H}" role="img" aria-label="precision and recall against the confidence cut-off">
${[...axes, ...lines].join("\n")}
</svg>
<table><thead><tr><th>config</th><th>cut-off</th><th>precision</th><th>recall</th><th>F1</th><th>TP</th><th>FP</th><th>FN</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></body></html>
`;
}
