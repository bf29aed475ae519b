/** Line chart of added latency vs offered RPS, one line per series, as PNG bytes. */
import { Raster } from './png.mjs';

const PALETTE = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40],
  [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [23, 190, 207], [188, 189, 34],
];
const INK = [40, 40, 40];
const GRID = [225, 225, 225];

function niceStep(span) {
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= raw) ?? raw;
}

const label = (value) => (Math.abs(value) >= 10 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1));

/**
 * `series`: [{name, points: [{x, y}]}]. X is drawn on a log scale (the RPS
 * steps are roughly geometric); Y is linear and includes 0.
 */
export function plotLines({ title, xLabel, yLabel, series, width = 960, height = 560 }) {
  const image = new Raster(width, height);
  const left = 70;
  const right = 250;
  const top = 50;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const points = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xMin = Math.min(...xs, 100);
  const xMax = Math.max(...xs, xMin * 2);
  const yStep = niceStep(Math.max(Math.max(...ys, 1) - Math.min(...ys, 0), 1));
  const yMin = Math.floor(Math.min(...ys, 0) / yStep) * yStep;
  const yMax = Math.ceil(Math.max(...ys, 1) / yStep) * yStep;
  const px = (x) => left + ((Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW;
  const py = (y) => top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  image.text(left, 16, title, INK, 2);
  for (let y = yMin; y <= yMax + yStep / 2; y += yStep) {
    image.line(left, py(y), left + plotW, py(y), GRID);
    const text = label(y);
    image.text(left - 8 - Raster.textWidth(text), py(y) - 3, text, INK);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    image.line(px(x), top, px(x), top + plotH, GRID);
    image.text(px(x) - Raster.textWidth(String(x)) / 2, top + plotH + 8, String(x), INK);
  }
  if (yMin < 0) image.line(left, py(0), left + plotW, py(0), [150, 150, 150]);
  image.line(left, top, left, top + plotH, INK);
  image.line(left, top + plotH, left + plotW, top + plotH, INK);
  image.text(left + plotW / 2 - Raster.textWidth(xLabel) / 2, height - 24, xLabel, INK);
  image.text(8, top - 16, yLabel, INK);

  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length];
    const valid = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0).sort((a, b) => a.x - b.x);
    for (let i = 1; i < valid.length; i++) image.line(px(valid[i - 1].x), py(valid[i - 1].y), px(valid[i].x), py(valid[i].y), color, 2);
    for (const p of valid) image.fill(px(p.x) - 3, py(p.y) - 3, 7, 7, color);
    const legendY = top + index * 18;
    image.fill(left + plotW + 16, legendY, 12, 8, color);
    image.text(left + plotW + 34, legendY, s.name, INK);
  });
  return image.toPng();
}
