// Bar charts as inline SVG (no chart library): one bar per point, the largest reaching the top, each bar carrying
// its label and value (a <title> for people, data-* attributes for the browser tests).
import { h, svg } from "./dom.ts";

export interface Point {
  label: string;
  value: number;
}

const width = 320;
const height = 130;
const axis = 18;

export function barChart(options: {
  id: string;
  title: string;
  points: Point[];
  format: (value: number) => string;
  /** The figure shown large above the chart (e.g. today's). */
  headline?: string;
}): HTMLElement {
  const { points, format } = options;
  const max = Math.max(...points.map((p) => p.value), 0);
  const slot = width / Math.max(points.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const plot = height - axis;
  // Label at most 7 days along the axis, always the last.
  const every = Math.max(1, Math.ceil(points.length / 7));
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": options.title },
    svg("line", { x1: 0, y1: plot, x2: width, y2: plot, stroke: "#ddd" }),
    ...points.flatMap((p, i) => {
      const barHeight = max > 0 ? Math.round((p.value / max) * (plot - 4)) : 0;
      const x = i * slot + (slot - barWidth) / 2;
      const bar = svg(
        "rect",
        {
          class: "bar",
          x: x.toFixed(1),
          y: plot - barHeight,
          width: barWidth.toFixed(1),
          height: barHeight,
          "data-label": p.label,
          "data-value": p.value,
        },
        svg("title", {}, `${p.label}：${format(p.value)}`),
      );
      const showLabel = (points.length - 1 - i) % every === 0;
      return showLabel
        ? [bar, svg("text", { x: (x + barWidth / 2).toFixed(1), y: height - 4, "text-anchor": "middle" }, p.label)]
        : [bar];
    }),
  );
  return h(
    "figure",
    { class: "chart", id: options.id },
    h("h3", {}, options.title),
    options.headline ? h("p", { class: "today" }, options.headline) : null,
    chart,
  );
}
