// The metrics list, filtered by name, unit, archive policy and resource.

import {getAll} from "./api.js";
import {el, fill, table, errorBox} from "./dom.js";

const FILTERS = [
  ["name", (m) => m.name], ["unit", (m) => m.unit],
  ["policy", (m) => m.archive_policy_name], ["resource", (m) => m.resource_id],
];

function matches(metric, query) {
  return FILTERS.every(([key, field]) => {
    const wanted = (query.get(key) || "").toLowerCase();
    return !wanted || String(field(metric) ?? "").toLowerCase().includes(wanted);
  });
}

export async function render(view, query, setQuery) {
  fill(view, el("h1", {}, "Metrics"), el("p", {}, "Loading…"));
  let metrics;
  try {
    metrics = await getAll("v1/metric");
  } catch (error) {
    fill(view, el("h1", {}, "Metrics"), errorBox(error));
    return;
  }
  const results = el("div", {id: "metric-results"});
  const show = () => {
    const shown = metrics.filter((m) => matches(m, query));
    fill(results,
      el("p", {class: "count"}, `${shown.length} of ${metrics.length} metrics`,
        metrics.truncated ? " (the first ones only: there are more)" : ""),
      table(["name", "unit", "archive policy", "resource", "id"], shown.map((m) => [
        el("a", {href: `#/metric/${encodeURIComponent(m.id)}`}, m.name ?? "(unnamed)"),
        m.unit ?? "", m.archive_policy_name ?? "", m.resource_id ?? "", el("code", {}, m.id)])));
  };
  const inputs = FILTERS.map(([key]) => el("label", {},
    key, el("input", {type: "search", name: key, value: query.get(key) || "",
      oninput: (event) => {
        if (event.target.value) query.set(key, event.target.value);
        else query.delete(key);
        setQuery(query);
        show();
      }})));
  fill(view, el("h1", {}, "Metrics"), el("form", {class: "filters", role: "search"}, inputs), results);
  show();
}
