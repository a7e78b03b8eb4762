// Writing results where people read them: a section of BENCHMARKS.md (between markers, so each
// benchmark rewrites only its own part) and a small SVG line chart.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../test/helpers/processes.ts';

export const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md');

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Replaces the part of BENCHMARKS.md between `<!-- name:begin -->` and `<!-- name:end -->`. */
export function writeSection(name: string, markdown: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let text = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n\nMeasured figures, rewritten by the benchmarks themselves (`npm run bench:*`).\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCHMARKS, text);
}

export const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export interface Series {
  name: string;
  color: string;
  points: [number, number][]; // [x label index, y]
}

/** Small multiples: one panel per title, each with the same x labels and one line per series. */
export function lineChart(title: string, xLabels: string[], panels: { title: string; series: Series[] }[], yLabel: string): string {
  const W = 260;
  const H = 200;
  const pad = { l: 52, r: 12, t: 28, b: 36 };
  const width = panels.length * W + 20;
  const height = H + 70;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  panels.forEach((p, k) => {
    const x0 = 10 + k * W;
    const maxY = Math.max(1, ...p.series.flatMap((s) => s.points.map(([, y]) => y))) * 1.1;
    const px = (i: number) => x0 + pad.l + (i * (W - pad.l - pad.r)) / Math.max(1, xLabels.length - 1);
    const py = (y: number) => pad.t + (H - pad.t - pad.b) * (1 - y / maxY) + 20;
    parts.push(`<text x="${x0 + W / 2}" y="38" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
    for (let g = 0; g <= 4; g++) {
      const y = (maxY * g) / 4;
      parts.push(`<line x1="${x0 + pad.l}" x2="${x0 + W - pad.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
      parts.push(`<text x="${x0 + pad.l - 4}" y="${py(y) + 4}" text-anchor="end" font-size="10">${Math.round(y).toLocaleString('en')}</text>`);
    }
    xLabels.forEach((l, i) => parts.push(`<text x="${px(i)}" y="${py(0) + 16}" text-anchor="middle" font-size="10">${esc(l)}</text>`));
    for (const s of p.series) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([i, y]) => `${px(i).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [i, y] of s.points) parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
  });
  const legend = panels[0]?.series ?? [];
  legend.forEach((s, i) => {
    const x = 20 + i * 150;
    parts.push(`<rect x="${x}" y="${height - 16}" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="${height - 6}" font-size="11">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="16" font-size="13">${esc(title)} (${esc(yLabel)})</text>
${parts.join('\n')}
</svg>
`;
}
