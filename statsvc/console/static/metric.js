// One metric: its series over a range and granularity, statistics overlaid.
// Everything the view shows comes from the URL, so a link reproduces it.

import {get, toColumns} from "./api.js";
import {el, fill, table, errorBox} from "./dom.js";
import {draw} from "./plot.js";
import {overlayForm, parseOverlay, readOverlay, showError} from "./statform.js";

const RANGE = ["start", "stop", "granularity", "aggregation"];

/** Seconds in a policy granularity as the API shows it ("1 day, 0:05:00"). */
export function seconds(text) {
  const m = /^(?:(\d+) days?, )?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return Number(text);
  return (Number(m[1] || 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

const iso = (s) => new Date(s * 1000).toISOString().replace(".000Z", "Z");

function field(name, control) {
  return el("div", {class: "field", "data-parameter": name},
    el("label", {for: `c-${name}`}, name), control,
    el("span", {class: "field-error", role: "alert"}));
}

function controls(metric, query) {
  const policy = metric.archive_policy;
  const granularities = policy.definition.map((d) => seconds(d.granularity));
  const chosen = query.get("granularity") ?? (granularities.length ? String(Math.min(...granularities)) : "");
  return el("div", {class: "controls"},
    field("start", el("input", {id: "c-start", name: "start", value: query.get("start") || "", placeholder: "ISO 8601, or empty"})),
    field("stop", el("input", {id: "c-stop", name: "stop", value: query.get("stop") || "", placeholder: "ISO 8601, or empty"})),
    field("granularity", el("select", {id: "c-granularity", name: "granularity"},
      granularities.length ? null : el("option", {value: ""}, "raw points"),
      granularities.map((g, i) => el("option", {value: g, selected: String(g) === chosen},
        `${policy.definition[i].granularity} (${policy.definition[i].points} points)`)))),
    field("aggregation", el("select", {id: "c-aggregation", name: "aggregation"},
      policy.aggregation_methods.map((a) => el("option", {value: a,
        selected: a === (query.get("aggregation") || "mean")}, a)))),
    el("label", {class: "check"}, el("input", {type: "checkbox", name: "axis", value: "right",
      checked: query.get("axis") === "right"}), "statistics on their own axis"));
}

function readQuery(form) {
  const query = new URLSearchParams();
  for (const name of RANGE) {
    const value = form.querySelector(`[name=${name}]`).value;
    if (value !== "") query.set(name, value);
  }
  if (form.querySelector("[name=axis]").checked) query.set("axis", "right");
  for (const fieldset of form.querySelectorAll("fieldset.overlay")) {
    query.append("stat", readOverlay(fieldset));
  }
  return query;
}

function rangeQuery(query, granularity) {
  const params = [];
  for (const name of RANGE) {
    const value = name === "granularity" ? granularity : query.get(name);
    if (value) params.push([name, value]);
  }
  return params;
}

export async function render(view, id, query, setQuery, navigate) {
  fill(view, el("p", {}, "Loading…"));
  let metric, capabilities;
  try {
    [metric, capabilities] = await Promise.all([
      get(`v1/metric/${encodeURIComponent(id)}`).then((r) => r.body),
      get("v1/capabilities").then((r) => r.body)]);
  } catch (error) {
    fill(view, el("h1", {}, "Metric"), errorBox(error));
    return;
  }
  const details = capabilities.statistics_details;
  const overlays = query.getAll("stat").map(parseOverlay);
  const form = el("form", {id: "metric-form", novalidate: true,
    onsubmit: (event) => { event.preventDefault(); navigate(readQuery(form)); }});
  const fieldsets = overlays.map(({name, params}, i) => overlayForm(i, name, params, details[name], () => {
    fieldsets[i].remove();
    navigate(readQuery(form));
  }));
  const add = el("select", {id: "add-stat", "aria-label": "statistic to overlay"},
    Object.keys(details).map((name) => el("option", {value: name}, name)));
  const plot = el("div", {id: "plot", class: "plot"});
  const status = el("p", {id: "plot-status", class: "note"});
  const controlBox = controls(metric, query);
  form.append(controlBox,
    el("div", {class: "actions"},
      el("button", {type: "submit"}, "Apply"),
      el("button", {type: "button", id: "pan-left", title: "Pan left by half the range", onclick: () => pan(-0.5)}, "◀"),
      el("button", {type: "button", id: "pan-right", title: "Pan right by half the range", onclick: () => pan(0.5)}, "▶"),
      el("button", {type: "button", id: "zoom-out", title: "Twice the range", onclick: () => zoomOut()}, "zoom out"),
      el("span", {class: "hint"}, "Drag over the plot or turn the wheel to zoom, double-click to reset.")),
    el("h2", {}, "Statistics"), ...fieldsets,
    el("div", {class: "actions"}, add, el("button", {type: "button", id: "add-stat-button", onclick: () => {
      const next = readQuery(form);
      next.append("stat", add.value);
      navigate(next);
    }}, "Overlay")));
  form.querySelector("[name=axis]").addEventListener("change", () => form.requestSubmit());
  const policy = metric.archive_policy;
  const resource = el("section", {id: "resource"});
  fill(view,
    el("h1", {}, metric.name ?? "(unnamed metric)"),
    table(["id", "unit", "archive policy", "granularities", "resource"], [[
      el("code", {}, metric.id), metric.unit ?? "", policy.name ?? "(none: raw points)",
      policy.definition.map((d) => `${d.granularity} × ${d.points}`).join(", ") || "raw",
      metric.resource_id ?? ""]]),
    resource, plot, status, form);
  if (metric.resource_id) showResource(resource, metric.resource_id);

  let extent = null;
  function setRange(min, max) {
    query.set("start", iso(min));
    query.set("stop", iso(max));
    form.querySelector("[name=start]").value = query.get("start");
    form.querySelector("[name=stop]").value = query.get("stop");
  }
  function current() {
    const start = query.get("start") ? Date.parse(query.get("start")) / 1000 : extent?.[0];
    const stop = query.get("stop") ? Date.parse(query.get("stop")) / 1000 : extent?.[1];
    return [start, stop];
  }
  function pan(fraction) {
    const [start, stop] = current();
    if (start === undefined || !(stop > start)) return;
    const shift = (stop - start) * fraction;
    setRange(start + shift, stop + shift);
    navigate(query);
  }
  function zoomOut() {
    const [start, stop] = current();
    if (start === undefined || !(stop > start)) return;
    const half = stop - start;
    setRange(start - half / 2, stop + half / 2);
    navigate(query);
  }

  const granularity = controlBox.querySelector("[name=granularity]").value;
  const base = rangeQuery(query, granularity);
  const tables = [], labels = [];
  try {
    tables.push(toColumns((await get(`v1/metric/${encodeURIComponent(id)}/measures`, base)).body));
    labels.push(metric.name ?? metric.id);
  } catch (error) {
    // Timestamp errors name their parameter only as "start: ..." today.
    const name = error.parameter ?? RANGE.find((n) => error.message.startsWith(`${n}:`));
    const target = name && controlBox.querySelector(
      `.field[data-parameter="${CSS.escape(name)}"] .field-error`);
    if (target) target.textContent = error.message;
    else status.replaceWith(errorBox(error));
    return;
  }
  const xs = tables[0][0];
  if (xs.length) extent = [xs[0], xs[xs.length - 1]];
  const results = await Promise.allSettled(overlays.map(({name, params}) =>
    get(`v1/metric/${encodeURIComponent(id)}/measures`, [...base, ["stat", name], ...params])));
  results.forEach((result, i) => {
    if (result.status === "fulfilled") {
      tables.push(toColumns(result.value.body));
      labels.push(formatLabel(overlays[i]));
    } else {
      showError(fieldsets[i], result.reason);
    }
  });
  if (!xs.length) {
    status.textContent = "No points in this range.";
    return;
  }
  draw(plot, tables, labels, (min, max) => {
    setRange(min, max);
    setQuery(query);
  }, (ms) => { status.textContent = `${xs.length} points, drawn in ${ms.toFixed(0)} ms.`; },
  query.get("axis") === "right");
}

function formatLabel({name, params}) {
  const text = params.toString();
  return text ? `${name} (${decodeURIComponent(text.replaceAll("+", " "))})` : name;
}

/** The metric's resource and its attributes, as text. */
async function showResource(node, id) {
  try {
    const body = (await get(`v1/resource/generic/${encodeURIComponent(id)}`)).body;
    fill(node, el("h2", {}, "Resource"), table(["attribute", "value"],
      Object.entries(body).filter(([k]) => k !== "metrics").map(([k, v]) =>
        [k, v !== null && typeof v === "object" ? JSON.stringify(v) : String(v ?? "")])));
  } catch (error) {
    fill(node, el("h2", {}, "Resource"), errorBox(error));
  }
}
