// The role configuration for configuration editors: a YAML editor per file, checked as you
// type (each problem marked at its line), saved as a new version with a message; the version
// history with each version's changes, and rollback.

import { api, query } from "./api.js";
import { announce } from "./app.js";
import { confirmDialog } from "./dialog.js";
import { h, append, replace, field, when, errorBox, spinner, badge, uid } from "./dom.js";

const FILES = ["agents.yaml", "tasks.yaml", "crews.yaml"];
const CHECK_DELAY_MS = 400;
const MAX_HIGHLIGHTED_LINES = 20000;

/** A diff as lines, each classed by what it does (added, removed, a hunk header). */
function diffView(text, label) {
  const lines = text.replace(/\n$/, "").split("\n");
  return h("pre", { class: "diff", "aria-label": label }, lines.map((line) => {
    let kind = "diff-context";
    if (line.startsWith("+++") || line.startsWith("---")) kind = "diff-file";
    else if (line.startsWith("@@")) kind = "diff-hunk";
    else if (line.startsWith("+")) kind = "diff-add";
    else if (line.startsWith("-")) kind = "diff-del";
    return h("span", { class: ["diff-line", kind] }, `${line}\n`);
  }));
}

/** A textarea with line numbers; ``mark(issues)`` marks the lines that have problems. */
function yamlEditor(name, text, { readOnly, onInput }) {
  const id = uid("yaml");
  const area = h("textarea", {
    id, class: "code yaml-text", spellcheck: "false", autocomplete: "off", wrap: "off",
    readonly: readOnly || null, "aria-describedby": `${id}-problems`,
  });
  area.value = text;
  const gutter = h("div", { class: "yaml-gutter", "aria-hidden": "true" });
  let marks = new Map();
  const numbers = () => {
    const count = Math.min(area.value.split("\n").length, MAX_HIGHLIGHTED_LINES);
    const rows = [];
    for (let n = 1; n <= count; n += 1) {
      const issue = marks.get(n);
      rows.push(h("div", { class: ["yaml-line", issue && "has-issue"], dataset: { line: String(n) }, title: issue || null }, String(n)));
    }
    replace(gutter, rows);
    gutter.scrollTop = area.scrollTop;
  };
  area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
  area.addEventListener("input", () => { numbers(); onInput(area.value); });
  area.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.shiftKey || readOnly) return;
    // Two spaces: YAML has no tabs (Escape, then Tab, leaves the editor).
    event.preventDefault();
    area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input"));
  });
  area.addEventListener("keydown", (event) => { if (event.key === "Escape") area.blur(); });
  numbers();
  const box = h("div", { class: "yaml-editor" }, gutter, area);
  return {
    element: h("div", { class: "field" }, h("label", { for: id }, `${name}`), box),
    area,
    problemsId: `${id}-problems`,
    mark(issues) {
      marks = new Map();
      for (const issue of issues) {
        if (issue.line) marks.set(issue.line, [marks.get(issue.line), `${issue.key ? `${issue.key}: ` : ""}${issue.message}`].filter(Boolean).join("; "));
      }
      numbers();
    },
    goTo(line) {
      const lines = area.value.split("\n");
      const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
      area.focus();
      area.setSelectionRange(start, start + (lines[line - 1] || "").length);
      const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 4) * lineHeight);
    },
  };
}

export async function configView(page, { signal }) {
  const loaded = await api("GET", "/config", { signal });
  const canEdit = loaded.can_edit;
  const saved = { ...loaded.files }; // what each file is in the version in force
  const drafts = { ...loaded.files };
  let current = FILES[0];
  let version = loaded.version;
  let checkTimer = null;
  let checkSeq = 0;

  const versionNote = h("p", { class: "muted" });
  const showVersion = () => replace(versionNote, "Version ", h("strong", {}, String(version)), ` is in force (read from ${loaded.directory}).`,
    canEdit ? " Each save is checked first and becomes a new version; a hiring flow in progress keeps the version it started with." :
      " Only configuration editors can change it.");
  showVersion();

  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "Configuration files" });
  const panel = h("div", { role: "tabpanel", class: "stack" });
  const status = h("p", { class: "check-status", role: "status", "aria-live": "polite" });
  const problems = h("div", {});
  const saveProblem = h("div", {});
  const message = h("input", { type: "text", name: "message", maxlength: 1000, placeholder: "What changed, and why" });
  const saveButton = h("button", { type: "submit", class: "button primary" }, "Save");
  let editor = null;

  const showIssues = (issues) => {
    const here = issues.filter((i) => i.file === current);
    const elsewhere = issues.filter((i) => i.file !== current);
    editor.mark(here);
    if (!issues.length) {
      replace(problems);
      return;
    }
    replace(problems, h("div", { class: "alert alert-error", id: editor.problemsId },
      h("p", {}, `${issues.length} problem${issues.length === 1 ? "" : "s"}: nothing is saved until they are fixed.`),
      h("ul", { class: "issues", "aria-label": `Problems in ${current}` }, here.map((issue) => h("li", { class: "issue", dataset: { line: String(issue.line || "") } },
        issue.line ? h("button", { type: "button", class: "button small ghost", onclick: () => editor.goTo(issue.line) }, `Line ${issue.line}`) : null,
        " ", issue.key ? h("code", {}, issue.key) : null, issue.key ? ": " : "", issue.message))),
      elsewhere.length ? h("ul", { class: "issues", "aria-label": "Problems in the other files" }, elsewhere.map((issue) => h("li", { class: "issue" },
        h("strong", {}, issue.file || "settings"), issue.line ? ` line ${issue.line}` : "", ": ",
        issue.key ? h("code", {}, issue.key) : null, issue.key ? ": " : "", issue.message))) : null));
  };

  const check = async () => {
    const seq = ++checkSeq;
    replace(status, "Checking…");
    try {
      const answer = await api("POST", "/config/validate", { json: { files: { [current]: drafts[current] } }, signal });
      if (seq !== checkSeq) return; // a later keystroke's check is on its way
      replace(status, answer.valid ? badge("Valid", "ok") : badge(`${answer.issues.length} problem${answer.issues.length === 1 ? "" : "s"}`, "bad"));
      showIssues(answer.issues);
    } catch (error) {
      if (error.name === "AbortError" || seq !== checkSeq) return;
      replace(status, "Could not check it: ", error.message);
    }
  };

  const openFile = (name) => {
    current = name;
    for (const tab of tabs.children) {
      const on = tab.dataset.file === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    }
    editor = yamlEditor(name, drafts[name], {
      readOnly: !canEdit,
      onInput: (text) => {
        drafts[name] = text;
        clearTimeout(checkTimer);
        checkTimer = setTimeout(check, CHECK_DELAY_MS);
      },
    });
    replace(status);
    replace(problems);
    replace(saveProblem);
    const form = canEdit ? h("form", { class: "stack", onsubmit: save },
      field("Message (optional)", message), h("div", { class: "actions" }, saveButton,
        h("button", { type: "button", class: "button ghost", onclick: () => { drafts[name] = saved[name]; openFile(name); } }, "Discard changes")), saveProblem) : null;
    replace(panel, editor.element, status, problems, form);
    if (canEdit && drafts[name] !== saved[name]) check();
  };

  for (const name of FILES) {
    tabs.append(h("button", { type: "button", role: "tab", class: "tab", dataset: { file: name }, onclick: () => openFile(name),
      onkeydown: (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) return;
        const next = FILES[(FILES.indexOf(name) + step + FILES.length) % FILES.length];
        openFile(next);
        tabs.querySelector(`[data-file="${next}"]`).focus();
      } }, name));
  }

  async function save(event) {
    event.preventDefault();
    saveButton.disabled = true;
    replace(saveProblem);
    try {
      const applied = await api("PUT", `/config/${current}`, { json: { content: drafts[current], message: message.value.trim() } });
      saved[current] = drafts[current];
      version = applied.version;
      loaded.directory = applied.directory;
      message.value = "";
      showVersion();
      replace(status, badge("Saved", "ok"));
      replace(problems);
      editor.mark([]);
      announce(`Saved ${current} as version ${applied.version}.`, "ok");
      await loadHistory();
    } catch (error) {
      if (error.errors && error.errors.length && error.errors[0].line !== undefined) showIssues(error.errors);
      replace(saveProblem, errorBox(error));
    } finally {
      saveButton.disabled = false;
    }
  }

  // --- history ---
  const history = h("div", {});
  const diffBox = h("div", { "aria-live": "polite" });

  async function showDiff(from, to) {
    replace(diffBox, spinner("Loading the changes…"));
    try {
      const diff = await api("GET", `/config/diff${query({ from, to })}`, { signal });
      replace(diffBox, h("section", { class: "card", "aria-label": `Changes from version ${from} to ${to}` },
        h("h3", {}, `Changes from version ${from} to version ${to}`),
        diff.changed.length ? diff.changed.map((name) => diffView(diff.files[name], `Diff of ${name}`)) :
          h("p", { class: "muted" }, "The two versions hold the same files.")));
    } catch (error) {
      replace(diffBox, errorBox(error));
    }
  }

  async function rollback(number) {
    const ok = await confirmDialog({
      title: `Roll back to version ${number}?`,
      message: `Version ${number}'s files are checked with the current code, then saved as a new version and in force for every hiring flow started from now on.`,
      confirmLabel: "Roll back",
    });
    if (!ok) return;
    try {
      const done = await api("POST", "/config/rollback", { json: { version: number } });
      announce(`Version ${done.version} restores version ${number}.`, "ok");
      const fresh = await api("GET", "/config", { signal });
      Object.assign(saved, fresh.files);
      Object.assign(drafts, fresh.files);
      version = fresh.version;
      loaded.directory = fresh.directory;
      showVersion();
      openFile(current);
      await loadHistory();
    } catch (error) {
      replace(diffBox, errorBox(error));
    }
  }

  async function loadHistory() {
    replace(history, spinner("Loading the history…"));
    try {
      const found = await api("GET", "/config/versions?limit=100", { signal });
      replace(history, h("ol", { class: "cards versions", "aria-label": "Configuration versions" }, found.versions.map((v) => h("li", { class: "card version", dataset: { version: String(v.number) } },
        h("div", { class: "version-head" }, h("strong", {}, `Version ${v.number}`),
          v.number === found.loaded ? badge("in force", "ok") : null,
          v.restores ? badge(`restores ${v.restores}`, "info") : null,
          h("span", { class: "muted small" }, when(v.created_at), " by ", v.author)),
        v.message ? h("p", { class: "version-message" }, v.message) : null,
        h("div", { class: "actions" },
          v.parent ? h("button", { type: "button", class: "button small", "aria-label": `Changes in version ${v.number}`, onclick: () => showDiff(v.parent, v.number) }, "Changes") : null,
          v.number !== found.latest ? h("button", { type: "button", class: "button small", "aria-label": `Compare version ${v.number} with the newest`, onclick: () => showDiff(v.number, found.latest) }, "Compare with newest") : null,
          canEdit && v.number !== found.latest ? h("button", { type: "button", class: "button small danger ghost", "aria-label": `Roll back to version ${v.number}`, onclick: () => rollback(v.number) }, "Roll back") : null)))));
    } catch (error) {
      if (error.name !== "AbortError") replace(history, errorBox(error));
    }
  }

  append(page, h("div", { class: "page-head" }, h("h1", {}, "Configuration")), versionNote,
    h("section", { class: "card stack", "aria-label": "Editor" }, tabs, panel),
    h("section", { class: "stack", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "History"), diffBox, history));
  openFile(current);
  await loadHistory();
}
