// The console's router: the hash holds the whole view, #/<page>[/<id>]?<query>.

import {el, fill} from "./dom.js";
import * as metrics from "./metrics.js";
import * as metric from "./metric.js";
import * as plugins from "./plugins.js";
import * as service from "./service.js";

const view = document.getElementById("view");

function parse() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split(/\?(.*)/s);
  const [page, ...rest] = path.split("/");
  return {page: page || "metrics", id: rest.map(decodeURIComponent).join("/"),
    query: new URLSearchParams(query)};
}

function route() {
  const {page, id, query} = parse();
  const path = `#/${page}${id ? "/" + encodeURIComponent(id) : ""}`;
  // Keeps the URL in step with what the page shows, without a reload.
  const setQuery = (q) => history.replaceState(null, "", q.toString() ? `${path}?${q}` : path);
  // A new view: a history entry, then a render from the URL alone.
  const navigate = (q) => {
    const next = q.toString() ? `${path}?${q}` : path;
    if (next === location.hash) { delete document.body.dataset.ready; route(); }
    else location.hash = next;
  };
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("current", link.dataset.view === page || (page === "metric" && link.dataset.view === "metrics"));
  }
  document.body.dataset.page = page;
  const done = (() => {
    switch (page) {
      case "metrics": return metrics.render(view, query, setQuery);
      case "metric": return metric.render(view, id, query, setQuery, navigate);
      case "plugins": return plugins.render(view);
      case "service": return service.render(view);
      default: fill(view, el("p", {class: "error"}, `No page ${page}.`)); return Promise.resolve();
    }
  })();
  // Tests and people can tell when the page has settled.
  done.finally(() => { document.body.dataset.ready = location.hash; });
}

window.addEventListener("hashchange", () => { delete document.body.dataset.ready; route(); });
route();
