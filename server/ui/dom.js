// Building the page without HTML strings: every API value goes in as text, never as markup.

/** An element: h("a", {href: "#/x", class: "link", onclick: fn}, "text", child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (["value", "checked", "disabled", "selected", "multiple", "open"].includes(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, ...children);
  return el;
}

/** Add children (strings become text nodes; null, undefined and false are skipped). */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace everything in ``parent`` with ``children``. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, ...children);
}

let counter = 0;
/** A fresh id for label/for and aria-describedby pairs. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form field; ``control`` is an input, select or textarea (given an id here). */
export function field(label, control, hint) {
  control.id = control.id || uid();
  const parts = [h("label", { for: control.id }, label)];
  if (hint) {
    const hintId = uid("hint");
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  parts.push(control);
  return h("div", { class: "field" }, parts);
}

export function badge(text, tone) {
  return h("span", { class: ["badge", tone && `badge-${tone}`] }, text);
}

const STATUS_TONES = {
  queued: "info", running: "info", awaiting_review: "warn", confirmed: "ok",
  rejected: "bad", stopped: "muted", failed: "bad", open: "muted", active: "info",
  completed: "ok", pass: "ok", warn: "warn", fail: "bad", met: "ok", partial: "warn",
  not_met: "bad", missing: "bad", unknown: "muted",
};

export function statusBadge(status) {
  return badge(humanize(status), STATUS_TONES[status] || "muted");
}

/** "awaiting_review" -> "awaiting review". */
export function humanize(value) {
  return String(value ?? "").replaceAll("_", " ");
}

export function capitalize(value) {
  const text = humanize(value);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A date and time for people, in their locale; the exact ISO value in a <time>. */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h("span", {}, String(iso));
  return h("time", { datetime: date.toISOString(), title: date.toISOString() },
    date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
}

export function emptyState(title, text, ...actions) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title),
    text ? h("p", {}, text) : null, actions);
}

export function errorBox(error) {
  const items = (error && error.errors) || [];
  return h("div", { class: "alert alert-error", role: "alert" },
    h("p", {}, describeError(error)),
    items.length ? h("ul", {}, items.map((e) =>
      h("li", {}, e.where ? `${e.where}: ${e.message}` : e.message || JSON.stringify(e)))) : null);
}

export function describeError(error) {
  if (!error) return "Something went wrong.";
  if (error.status) return `${error.message} (HTTP ${error.status})`;
  return error.message || String(error);
}

export function spinner(label = "Loading…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spin", "aria-hidden": "true" }), label);
}

export function chips(values, tone) {
  const list = (values || []).filter((v) => v !== null && v !== undefined && v !== "");
  if (!list.length) return h("span", { class: "muted" }, "none");
  return h("ul", { class: "chips" }, list.map((v) => h("li", { class: ["chip", tone && `chip-${tone}`] }, String(v))));
}
