// The series and its overlays, drawn by uPlot (static/uPlot.iife.min.js).

const COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4"];

/** Draw ``tables`` (``[[xs, ys], ...]``, the metric first) labelled
 *  ``labels`` into ``node``; ``onZoom(min, max)`` follows the user's zoom
 *  (drag to zoom, double-click to reset). Returns the uPlot instance. */
export function draw(node, tables, labels, onZoom) {
  const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
  let ready = false;
  const options = {
    width: Math.max(node.clientWidth, 400),
    height: 380,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    scales: {x: {time: true}},
    cursor: {drag: {x: true, y: false, setScale: true}},
    series: [{label: "time (UTC)"}, ...labels.map((label, i) => ({
      label, stroke: COLOURS[i % COLOURS.length], width: i === 0 ? 1 : 2,
      spanGaps: i > 0, points: {show: false}}))],
    hooks: {
      ready: [() => { ready = true; }],
      setScale: [(u, key) => {
        if (ready && key === "x") onZoom(u.scales.x.min, u.scales.x.max);
      }],
    },
  };
  const started = performance.now();
  const chart = new uPlot(options, data, node);
  node.dataset.renderMs = (performance.now() - started).toFixed(1);
  node.dataset.points = String(data[0].length);
  return chart;
}
