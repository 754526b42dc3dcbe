// A statistic's form, generated from the parameters it declares in
// /v1/capabilities: a third-party plugin gets one without writing any UI.

import {el} from "./dom.js";

/** One overlay as kept in the URL: ``name?k=v&k=v``. */
export function parseOverlay(text) {
  const [name, query = ""] = text.split(/\?(.*)/s);
  return {name, params: new URLSearchParams(query)};
}

export function formatOverlay(name, params) {
  const query = params.toString();
  return query ? `${name}?${query}` : name;
}

function range(decl) {
  if (decl.min === null && decl.max === null) return "";
  return ` in [${decl.min ?? "-∞"}, ${decl.max ?? "∞"}]`;
}

/** The input for one declared parameter, holding ``value`` (a string, or
 *  null for the declared default). */
function input(name, decl, value) {
  const id = `p-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const current = value ?? (decl.default === null ? "" : String(decl.default));
  let control;
  if (decl.choices) {
    control = el("select", {id, name},
      decl.required || decl.default !== null ? null : el("option", {value: ""}, "(none)"),
      decl.choices.map((c) => el("option", {value: c, selected: c === current}, c)));
  } else if (decl.type === "bool") {
    control = el("select", {id, name},
      ["true", "false"].map((c) => el("option", {value: c, selected: c === current.toLowerCase()}, c)));
  } else if (decl.type === "int" || decl.type === "float") {
    const duration = decl.max_duration !== undefined;
    control = el("input", {
      id, name, value: current,
      type: duration ? "text" : "number",
      step: decl.type === "int" ? "1" : "any",
      min: duration ? null : decl.min, max: duration ? null : decl.max,
      placeholder: duration ? "points, or a duration: 5min" : decl.required ? "required" : "",
      inputmode: duration ? null : "decimal"});
  } else {
    control = el("input", {id, name, type: "text", value: current});
  }
  const hint = `${decl.type}${range(decl)}${decl.required ? ", required" : ""}` +
    (decl.max_duration !== undefined ? `, or a duration up to ${decl.max_duration} s` : "");
  return el("div", {class: "field", "data-parameter": name},
    el("label", {for: id}, name),
    control,
    el("small", {class: "hint"}, hint, decl.help ? ` — ${decl.help}` : ""),
    el("span", {class: "field-error", role: "alert"}));
}

/** A fieldset for overlay ``index`` of statistic ``name``; ``detail`` is
 *  its entry of ``statistics_details`` (undefined if unknown here). */
export function overlayForm(index, name, params, detail, onRemove) {
  const declared = detail ? detail.parameters : {};
  const fields = Object.entries(declared).map(
    ([p, decl]) => input(p, decl, params.has(p) ? params.get(p) : null));
  // Parameters in the URL that the plugin does not declare: shown, so that
  // the API's "unknown parameter" lands next to them.
  for (const [p, v] of params) {
    if (!(p in declared)) fields.push(input(p, {type: "str", default: null, min: null, max: null, required: false, help: "not declared"}, v));
  }
  return el("fieldset", {class: "overlay", "data-index": index, "data-stat": name},
    el("legend", {}, name,
      el("button", {type: "button", class: "remove", title: `Remove ${name}`, onclick: onRemove}, "×")),
    detail ? el("p", {class: "description"}, detail.description)
      : el("p", {class: "error"}, "This statistic is not loaded here."),
    fields,
    el("span", {class: "field-error form-error", role: "alert"}));
}

/** The overlay as ``name?k=v`` from its fieldset, empty fields left out. */
export function readOverlay(fieldset) {
  const params = new URLSearchParams();
  for (const control of fieldset.querySelectorAll("input, select")) {
    if (control.value !== "") params.append(control.name, control.value);
  }
  return formatOverlay(fieldset.dataset.stat, params);
}

/** Show an API error next to the field it names, or on the whole form. */
export function showError(fieldset, error) {
  const field = error.parameter &&
    [...fieldset.querySelectorAll(".field")].find((f) => f.dataset.parameter === error.parameter);
  const target = field ? field.querySelector(".field-error") : fieldset.querySelector(".form-error");
  target.textContent = error.message;
  if (field) field.classList.add("invalid");
}
