/** Line chart of added latency vs offered RPS, one line per series, as an SVG document (text). */

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22', '#393b79', '#637939'];

function niceStep(span) {
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= raw) ?? raw;
}

const label = (value) => (Math.abs(value) >= 10 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1));
const escape = (text) => String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
const n = (value) => value.toFixed(1);

/**
 * `series`: [{name, points: [{x, y}]}]. X is drawn on a log scale (the RPS
 * steps are roughly geometric); Y is linear and includes 0.
 */
export function plotLines({ title, xLabel, yLabel, series, width = 960, height = 560 }) {
  const left = 70;
  const right = 250;
  const top = 50;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const valid = (p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0;
  const points = series.flatMap((s) => s.points).filter(valid);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xMin = Math.min(...xs, 100);
  const xMax = Math.max(...xs, xMin * 2);
  const yStep = niceStep(Math.max(Math.max(...ys, 1) - Math.min(...ys, 0), 1));
  const yMin = Math.floor(Math.min(...ys, 0) / yStep) * yStep;
  const yMax = Math.ceil(Math.max(...ys, 1) / yStep) * yStep;
  const px = (x) => left + ((Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW;
  const py = (y) => top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="28" font-size="18" fill="#282828">${escape(title)}</text>`,
  ];
  for (let y = yMin; y <= yMax + yStep / 2; y += yStep) {
    out.push(`<line x1="${left}" y1="${n(py(y))}" x2="${left + plotW}" y2="${n(py(y))}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${left - 8}" y="${n(py(y) + 4)}" text-anchor="end" fill="#282828">${label(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${n(px(x))}" y1="${top}" x2="${n(px(x))}" y2="${top + plotH}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${n(px(x))}" y="${top + plotH + 20}" text-anchor="middle" fill="#282828">${x}</text>`);
  }
  if (yMin < 0) out.push(`<line x1="${left}" y1="${n(py(0))}" x2="${left + plotW}" y2="${n(py(0))}" stroke="#969696"/>`);
  out.push(`<polyline points="${left},${top} ${left},${top + plotH} ${left + plotW},${top + plotH}" fill="none" stroke="#282828"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${height - 16}" text-anchor="middle" fill="#282828">${escape(xLabel)}</text>`);
  out.push(`<text x="8" y="${top - 12}" fill="#282828">${escape(yLabel)}</text>`);
  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length];
    const line = s.points.filter(valid).sort((a, b) => a.x - b.x);
    if (line.length > 1)
      out.push(`<polyline points="${line.map((p) => `${n(px(p.x))},${n(py(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of line) out.push(`<rect x="${n(px(p.x) - 3)}" y="${n(py(p.y) - 3)}" width="7" height="7" fill="${color}"/>`);
    const legendY = top + index * 18;
    out.push(`<rect x="${left + plotW + 16}" y="${legendY}" width="12" height="8" fill="${color}"/>`);
    out.push(`<text x="${left + plotW + 34}" y="${legendY + 8}" fill="#282828">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
