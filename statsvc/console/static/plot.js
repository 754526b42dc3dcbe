// The series and its overlays, drawn by uPlot (static/uPlot.iife.min.js).

const COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4"];

/** ``[xs, ys1, ys2, ...]`` on the union of the tables' times, null where
 *  a table has no point: a linear merge, since the API's times ascend
 *  (uPlot.join, which sorts, took 0.6 s for two tables of 10^5 points). */
export function join(tables) {
  const at = tables.map(() => 0);
  const xs = [], columns = tables.map(() => []);
  for (;;) {
    let x = Infinity;
    for (let t = 0; t < tables.length; t++) {
      const next = tables[t][0][at[t]];
      if (next < x) x = next;
    }
    if (x === Infinity) return [xs, ...columns];
    xs.push(x);
    for (let t = 0; t < tables.length; t++) {
      if (tables[t][0][at[t]] === x) columns[t].push(tables[t][1][at[t]++]);
      else columns[t].push(null);
    }
  }
}

/** Draw ``tables`` (``[[xs, ys], ...]``, the metric first) labelled
 *  ``labels`` into ``node``; ``onZoom(min, max)`` follows the user's zoom
 *  (drag to zoom, double-click to reset); ``onDrawn(ms)`` gets the time of
 *  the first draw, joining the tables included. Returns the uPlot
 *  instance, also kept as ``node.chart``. */
export function draw(node, tables, labels, onZoom, onDrawn, ownAxis = false) {
  const started = performance.now();
  const data = tables.length === 1 ? tables[0] : join(tables);
  let ready = false, drawn = false;
  const options = {
    width: Math.max(node.clientWidth, 400),
    height: 380,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    scales: {x: {time: true}},
    // Statistics in other units than the metric (a z-score, a rate) read
    // better against an axis of their own, on the right.
    axes: ownAxis ? [{}, {scale: "y"}, {scale: "stat", side: 1, grid: {show: false}}] : undefined,
    cursor: {drag: {x: true, y: false, setScale: true}},
    series: [{label: "time (UTC)"}, ...labels.map((label, i) => ({
      label, stroke: COLOURS[i % COLOURS.length], width: i === 0 ? 1 : 2,
      spanGaps: i > 0, points: {show: false}, scale: i > 0 && ownAxis ? "stat" : "y"}))],
    hooks: {
      ready: [() => { ready = true; }],
      draw: [() => {
        if (drawn) return;
        drawn = true;
        onDrawn(performance.now() - started);
      }],
      setScale: [(u, key) => {
        if (ready && key === "x") onZoom(u.scales.x.min, u.scales.x.max);
      }],
    },
  };
  node.chart = new uPlot(options, data, node);
  node.chart.over.addEventListener("wheel", (event) => wheelZoom(node.chart, event));
  return node.chart;
}

/** Zoom x about the cursor, a quarter a notch, within the loaded data. */
function wheelZoom(u, event) {
  event.preventDefault();
  const {min, max} = u.scales.x;
  const xs = u.data[0];
  const at = u.posToVal(event.offsetX, "x");
  const factor = event.deltaY < 0 ? 0.75 : 1 / 0.75;
  u.setScale("x", {
    min: Math.max(xs[0], at - (at - min) * factor),
    max: Math.min(xs[xs.length - 1], at + (max - at) * factor)});
}
