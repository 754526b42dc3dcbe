// The v1 API, from the page's origin: the browser adds the credentials it
// holds (HTTP Basic), the page never sees or stores them.

const BASE = new URL("../", document.baseURI);

/** An error answer of the API; ``parameter`` names the faulty one. */
export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.parameter = body && typeof body === "object" ? body.parameter : undefined;
  }
}

function describe(status, body) {
  const d = body && typeof body === "object" ? body.description : body;
  if (d && typeof d === "object") {
    return [d.cause, d.reason].filter(Boolean).join(": ") || JSON.stringify(d);
  }
  return d ? String(d) : `HTTP ${status}`;
}

/** GET ``path`` (relative to the service root) with ``params``; returns
 *  ``{body, response}`` or throws :class:`ApiError`. */
export async function get(path, params) {
  const url = new URL(path, BASE);
  if (params) {
    for (const [k, v] of params) url.searchParams.append(k, v);
  }
  const response = await fetch(url, {headers: {Accept: "application/json"}});
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!response.ok) throw new ApiError(response.status, body);
  return {body, response};
}

/** Every page of a Gnocchi-style listing (following ``Link: rel=next``),
 *  at most ``maxPages``; the array's ``truncated`` says if more remain. */
export async function getAll(path, maxPages = 20) {
  let url = path;
  const items = [];
  for (let page = 0; url && page < maxPages; page++) {
    const {body, response} = await get(url);
    items.push(...body);
    const link = response.headers.get("Link") || "";
    const next = /<([^>]+)>;\s*rel="?next"?/.exec(link);
    url = next ? next[1] : null;
  }
  items.truncated = Boolean(url);
  return items;
}

/** The API's ``[[iso, granularity, value], ...]`` as two arrays, times in
 *  seconds (what uPlot takes). */
export function toColumns(points) {
  const xs = new Float64Array(points.length);
  const ys = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    xs[i] = Date.parse(points[i][0]) / 1000;
    ys[i] = points[i][2];
  }
  return [Array.from(xs), ys];
}
