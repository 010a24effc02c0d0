// The reading room's only script (served from /static: the Content-Security-Policy allows no inline script).
// Draws the counts chart as SVG from /api/count, with a tooltip giving each point's number. Crawled text is only
// ever set as textContent, never parsed as markup.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#2c3e50"];

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function text(parent, x, y, content, attrs) {
  const node = el("text", Object.assign({ x, y }, attrs || {}), parent);
  node.textContent = content;
  return node;
}

// The value drawn for one cell: articles, or the share of the bucket's articles in percent (null: no data).
function value(row, cell, normalize) {
  if (!row.data) return null;
  return normalize ? (cell.share === null ? null : 100 * cell.share) : cell.articles;
}

function niceMax(max) {
  if (max <= 0) return 1;
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  for (const factor of [1, 2, 5, 10]) if (factor * step >= max) return factor * step;
  return 10 * step;
}

function drawChart(holder, table, normalize) {
  const rows = table.rows;
  const width = Math.max(holder.clientWidth || 800, 360), height = 320;
  const pad = { left: 56, right: 16, top: 16, bottom: 56 };
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  let max = 0;
  rows.forEach((row) => row.counts.forEach((cell) => { max = Math.max(max, value(row, cell, normalize) || 0); }));
  const top = niceMax(max);
  const x = (i) => pad.left + (rows.length > 1 ? (i * plotW) / (rows.length - 1) : plotW / 2);
  const y = (v) => pad.top + plotH - (v / top) * plotH;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "count-chart" });
  el("title", {}, svg).textContent = `${table.queries.join(" · ")} per ${table.by}`;
  // no-data buckets as grey bands
  const band = rows.length > 1 ? plotW / (rows.length - 1) : plotW;
  rows.forEach((row, i) => {
    if (!row.data) el("rect", { x: x(i) - band / 2, y: pad.top, width: band, height: plotH, class: "nodata" }, svg);
  });
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4, yy = y(v);
    el("line", { x1: pad.left, x2: pad.left + plotW, y1: yy, y2: yy, class: "grid" }, svg);
    const label = normalize ? `${+v.toFixed(1)}%` : String(+v.toFixed(1));
    text(svg, pad.left - 6, yy + 4, label, { "text-anchor": "end", class: "tick" });
  }
  const every = Math.max(1, Math.ceil(rows.length / 12));
  rows.forEach((row, i) => {
    if (i % every === 0 || i === rows.length - 1) {
      const anchor = rows.length > 1 && i === rows.length - 1 ? "end" : (i === 0 && rows.length > 1 ? "start" : "middle");
      text(svg, x(i), pad.top + plotH + 18, row.bucket || "(no date)", { "text-anchor": anchor, class: "tick" });
    }
  });
  const tip = document.createElement("div");
  tip.className = "tooltip";
  tip.hidden = true;
  tip.setAttribute("role", "status");
  table.queries.forEach((query, q) => {
    const color = COLORS[q % COLORS.length];
    let path = "", pen = false;
    rows.forEach((row, i) => {
      const v = value(row, row.counts[q], normalize);
      if (v === null) { pen = false; return; }
      path += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    if (path) el("path", { d: path, fill: "none", stroke: color, "stroke-width": 2, class: "series" }, svg);
    rows.forEach((row, i) => {
      const cell = row.counts[q], v = value(row, cell, normalize);
      if (v === null) return;
      const dot = el("circle", { cx: x(i), cy: y(v), r: 4, fill: color, class: "point", tabindex: 0 }, svg);
      const share = cell.share === null ? "" : ` · ${(100 * cell.share).toFixed(1)}% of ${row.archive_articles}`;
      const says = `${row.bucket} · ${query}: ${cell.articles} articles (${cell.occurrences} occurrences)${share}`;
      dot.dataset.bucket = row.bucket;
      dot.dataset.value = String(cell.articles);
      el("title", {}, dot).textContent = says;
      const show = () => {
        tip.textContent = says;
        tip.hidden = false;
        // right of the point in the left half, left of it in the right half: the tooltip stays inside the chart
        const right = x(i) > width / 2;
        tip.style.left = right ? "" : `${x(i) + 8}px`;
        tip.style.right = right ? `${width - x(i) + 8}px` : "";
        tip.style.top = `${y(v) - 28}px`;
      };
      dot.addEventListener("mouseenter", show);
      dot.addEventListener("focus", show);
      dot.addEventListener("mouseleave", () => { tip.hidden = true; });
      dot.addEventListener("blur", () => { tip.hidden = true; });
    });
  });
  const legend = document.createElement("ul");
  legend.className = "legend";
  table.queries.forEach((query, q) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = COLORS[q % COLORS.length];
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(query));
    legend.appendChild(item);
  });
  holder.replaceChildren(svg, tip, legend);
  holder.dataset.drawn = String(rows.length);
}

async function loadChart(holder) {
  try {
    const response = await fetch(holder.dataset.src, { headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    drawChart(holder, data, holder.dataset.normalize === "1");
  } catch (error) {
    holder.textContent = `The chart could not be drawn: ${error.message}`;
    holder.className = "error";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("chart");
  if (holder) loadChart(holder);
});
