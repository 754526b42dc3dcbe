// The service: version, uptime, storage.

import {get} from "./api.js";
import {el, fill, table, errorBox} from "./dom.js";

function duration(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
  const m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
  return (d ? `${d} d ` : "") + `${h} h ${m} min ${s} s`;
}

export async function render(view) {
  fill(view, el("h1", {}, "Service"), el("p", {}, "Loading…"));
  try {
    const info = (await get("console/service.json")).body;
    const storage = info.storage;
    fill(view, el("h1", {}, "Service"), table(["", ""], [
      ["version", info.version],
      ["uptime", el("span", {id: "uptime"}, duration(info.uptime))],
      ["started", new Date(info.started * 1000).toISOString()],
      ["storage driver", storage.driver],
      ["storage reachable", el("span", {id: "reachable", class: storage.reachable ? "ok" : "error"},
        storage.reachable ? "yes" : `no: ${storage.error}`)],
    ]));
  } catch (error) {
    fill(view, el("h1", {}, "Service"), errorBox(error));
  }
}
