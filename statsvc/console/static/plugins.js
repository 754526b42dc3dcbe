// The statistics plugins: declared parameters, and what failed or is off.

import {get} from "./api.js";
import {el, fill, table, errorBox} from "./dom.js";

function parameters(declared) {
  return el("ul", {}, Object.entries(declared).map(([name, d]) => el("li", {},
    el("code", {}, name), ` ${d.type}`,
    d.min !== null || d.max !== null ? ` [${d.min ?? "-∞"}, ${d.max ?? "∞"}]` : "",
    d.required ? ", required" : `, default ${JSON.stringify(d.default)}`,
    d.choices ? `, one of ${d.choices.join(", ")}` : "",
    d.help ? ` — ${d.help}` : "")));
}

export async function render(view) {
  fill(view, el("h1", {}, "Plugins"), el("p", {}, "Loading…"));
  let capabilities;
  try {
    capabilities = (await get("v1/capabilities")).body;
  } catch (error) {
    fill(view, el("h1", {}, "Plugins"), errorBox(error));
    return;
  }
  const details = capabilities.statistics_details;
  const loaded = el("section", {id: "loaded"}, el("h2", {}, "Loaded statistics"),
    table(["name", "description", "parameters"], Object.keys(details).map((name) =>
      [el("code", {}, name), details[name].description, parameters(details[name].parameters)])));
  const health = el("section", {id: "health"}, el("h2", {}, "Failed and disabled"));
  fill(view, el("h1", {}, "Plugins"), loaded, health);
  let status;
  try {
    status = (await get("v1/status")).body.statistics;
  } catch (error) {
    health.append(error.status === 403
      ? el("p", {class: "note"}, "Only an admin may see which plugins failed or are disabled (/v1/status).")
      : errorBox(error));
    return;
  }
  const failed = Object.entries(status.failed);
  health.append(
    el("h3", {}, `Failed to load (${failed.length})`),
    failed.length ? table(["name", "entry point", "why"], failed.map(
      ([name, f]) => [el("code", {}, name), f.target, f.error])) : el("p", {}, "None."),
    el("h3", {}, `Disabled by configuration (${status.disabled.length})`),
    status.disabled.length ? el("ul", {}, status.disabled.map((n) => el("li", {}, el("code", {}, n))))
      : el("p", {}, "None."),
    el("h3", {}, "Runtime errors (this worker)"),
    Object.keys(status.runtime_errors).length
      ? el("pre", {}, JSON.stringify(status.runtime_errors, null, 2)) : el("p", {}, "None."));
}
