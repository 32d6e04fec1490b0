// "What hirecrew learned about me": search, correct and erase the recruiter's memories.

import { api, query } from "./api.js";
import { announce } from "./app.js";
import { confirmDialog } from "./dialog.js";
import { h, append, replace, field, chips, when, emptyState, errorBox, spinner, badge, humanize } from "./dom.js";

function memoryCard(memory, reload) {
  const body = h("div", {});
  const problem = h("div", {});
  const show = () => replace(body,
    h("p", { class: "memory-text" }, memory.text),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button small", "aria-label": `Edit memory: ${memory.text}`, onclick: edit }, "Edit"),
      h("button", { type: "button", class: "button small danger ghost", "aria-label": `Delete memory: ${memory.text}`, onclick: remove }, "Delete")));
  async function edit() {
    const area = h("textarea", { rows: 3, maxlength: 2000, required: true });
    area.value = memory.text;
    replace(body, h("form", { onsubmit: async (e) => {
      e.preventDefault();
      try {
        const saved = await api("PATCH", `/memories/${memory.id}`, { json: { text: area.value.trim() } });
        Object.assign(memory, saved);
        announce("Memory updated.", "ok");
        replace(problem);
        show();
      } catch (error) {
        replace(problem, errorBox(error));
      }
    } }, field("Memory text", area),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary small" }, "Save"),
      h("button", { type: "button", class: "button ghost small", onclick: () => { replace(problem); show(); } }, "Cancel"))));
    area.focus();
  }
  async function remove() {
    const ok = await confirmDialog({ title: "Delete this memory?", message: `hirecrew will forget “${memory.text}” for good.`, confirmLabel: "Delete", danger: true });
    if (!ok) return;
    try {
      await api("DELETE", `/memories/${memory.id}`);
      announce("Memory deleted.", "ok");
      await reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  }
  show();
  const meta = memory.metadata || {};
  return h("li", { class: "card memory" },
    h("div", { class: "memory-head" }, badge(humanize(memory.kind), memory.kind === "preference" ? "info" : "muted"),
      memory.key ? h("code", {}, memory.key) : null,
      h("span", { class: "muted small" }, "updated ", when(memory.updated_at || memory.created_at)),
      memory.score != null ? h("span", { class: "muted small" }, `match ${Math.round(memory.score * 100)}%`) : null),
    body, problem,
    h("details", {}, h("summary", {}, "Where it came from"),
      chips(Object.entries(meta).map(([k, v]) => `${humanize(k)}: ${v}`)), h("p", { class: "muted small" }, "id ", h("code", {}, memory.id))));
}

export async function memoriesView(page, { signal }) {
  const q = h("input", { type: "search", name: "q", maxlength: 1000 });
  const list = h("div", {});
  const load = async () => {
    replace(list, spinner("Loading memories…"));
    try {
      const memories = await api("GET", `/memories${query({ q: q.value.trim(), limit: 200 })}`, { signal });
      if (!memories.length) {
        replace(list, emptyState(q.value.trim() ? "Nothing related" : "Nothing learned yet",
          "hirecrew learns from your decisions: votes with a reason, edits and rejections."));
        return;
      }
      replace(list, h("ul", { class: "cards memories" }, memories.map((m) => memoryCard(m, load))));
    } catch (error) {
      if (error.name !== "AbortError") replace(list, errorBox(error));
    }
  };
  append(page, h("div", { class: "page-head" }, h("h1", {}, "What hirecrew learned about me")),
    h("p", { class: "muted" }, "These memories shape every stage hirecrew runs for you. Correct what is wrong; delete what should be forgotten."),
    h("form", { class: "search", role: "search", onsubmit: (e) => { e.preventDefault(); load(); } },
      field("Search memories", q), h("button", { type: "submit", class: "button" }, "Search")),
    list);
  await load();
}
