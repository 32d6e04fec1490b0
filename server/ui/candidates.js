// Candidates: upload resumes (drop or pick, several at once), search, and one candidate.

import { api, query } from "./api.js";
import { announce } from "./app.js";
import { h, append, replace, field, chips, emptyState, errorBox, describeError, spinner, badge } from "./dom.js";

const ACCEPT = ".pdf,.docx,.txt,.md,.csv,.json";

async function uploadOne(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const result = await api("POST", "/candidates", { form });
    const parts = [];
    if (result.imported.length) parts.push(`imported ${result.imported.length}`);
    if (result.unchanged.length) parts.push(`${result.unchanged.length} already in your pool`);
    return { ok: true, text: parts.join(", ") || "nothing new", result };
  } catch (error) {
    // "nothing imported: NAME: why" -> "why": the file's name is already on the line.
    const text = describeError(error).replace(/^nothing imported: /, "").replace(`${file.name}: `, "");
    return { ok: false, text };
  }
}

function resultItem(file, outcome) {
  const r = outcome.result;
  return h("li", { class: ["upload-result", outcome.ok ? "ok" : "refused"] },
    badge(outcome.ok ? "Imported" : "Refused", outcome.ok ? "ok" : "bad"), " ",
    h("strong", {}, file.name), `: ${outcome.text}`,
    r && r.imported.length ? h("ul", {}, r.imported.map((id) => h("li", {}, h("a", { href: `#/candidates/${id}` }, id)))) : null,
    r && r.refused.length ? h("ul", {}, r.refused.map((x) => h("li", {}, `${x.source}: ${x.reason}`))) : null,
    r && r.flagged.length ? h("p", { class: "small" }, "Hidden content was found and kept out: ", r.flagged.map((f) => (f.flags || []).join(", ")).join("; ")) : null);
}

function uploader(onDone) {
  const input = h("input", { type: "file", multiple: true, accept: ACCEPT, name: "file" });
  const results = h("ul", { class: "upload-results", "aria-live": "polite", "aria-label": "Upload results" });
  const upload = async (files) => {
    if (!files.length) return;
    replace(results);
    const rows = [...files].map((file) => {
      const row = h("li", { class: "upload-result" }, h("strong", {}, file.name), ": uploading…");
      results.append(row);
      return [file, row];
    });
    let imported = 0;
    for (const [file, row] of rows) {
      const outcome = await uploadOne(file);
      if (outcome.ok) imported += 1;
      row.replaceWith(resultItem(file, outcome));
    }
    announce(`${imported} of ${rows.length} files imported.`, imported === rows.length ? "ok" : "warn");
    input.value = "";
    onDone();
  };
  input.addEventListener("change", () => upload(input.files));
  const zone = h("div", { class: "dropzone" },
    h("p", { class: "drop-title" }, "Drop resumes here"),
    h("p", { class: "muted small" }, "PDF, DOCX, TXT, Markdown, or a CSV/JSON export — several at once."),
    field("Or choose files", input));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    upload(e.dataTransfer.files);
  });
  return h("section", { class: "card", "aria-labelledby": "upload-h" }, h("h2", { id: "upload-h" }, "Add candidates"), zone, results);
}

export async function candidatesView(page, { signal }) {
  const q = h("input", { type: "search", name: "q", maxlength: 500 });
  const list = h("div", {});
  const load = async () => {
    replace(list, spinner("Searching…"));
    try {
      const found = await api("GET", `/candidates${query({ q: q.value.trim(), limit: 100 })}`, { signal });
      if (!found.length) {
        replace(list, q.value.trim() ? emptyState("No match", `Nobody in your pool matches “${q.value.trim()}”.`) :
          emptyState("Your pool is empty", "Upload resumes above to add candidates."));
        return;
      }
      replace(list, h("p", { class: "muted", role: "status" }, `${found.length} candidate${found.length > 1 ? "s" : ""}`),
        h("table", { class: "table" },
          h("thead", {}, h("tr", {}, ["Name", "Headline", "Skills", "Location"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, found.map((c) => h("tr", {},
            h("td", {}, h("a", { href: `#/candidates/${c.id}` }, c.name || c.id)),
            h("td", {}, c.headline || ""),
            h("td", {}, chips((c.skills || []).slice(0, 6))),
            h("td", {}, c.location || ""))))));
    } catch (error) {
      if (error.name !== "AbortError") replace(list, errorBox(error));
    }
  };
  const search = h("form", { class: "search", role: "search", onsubmit: (e) => { e.preventDefault(); load(); } },
    field("Search candidates", q), h("button", { type: "submit", class: "button" }, "Search"));
  append(page, h("div", { class: "page-head" }, h("h1", {}, "Candidates")), uploader(load),
    h("section", { class: "card", "aria-labelledby": "pool-h" }, h("h2", { id: "pool-h" }, "Your pool"), search, list));
  await load();
}

export async function candidateView(page, { params: [id], signal }) {
  let c;
  try {
    c = await api("GET", `/candidates/${id}`, { signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    append(page, h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/candidates" }, "Candidates"), " / "),
      h("h1", {}, "Candidate not in your pool"),
      emptyState(`No candidate “${id}” among your uploads`,
        "Candidates of the built-in demo pool appear in stage outputs but not here; upload resumes to build your own pool."));
    return;
  }
  append(page,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/candidates" }, "Candidates"), " / "),
    h("div", { class: "page-head" }, h("h1", {}, c.name || c.id)),
    h("p", { class: "lead" }, c.headline || ""),
    c.flags && c.flags.length ? h("div", { class: "alert alert-warn", role: "note" }, h("p", {}, "Flagged on import: ", c.flags.join(", "))) : null,
    h("div", { class: "review-layout" },
      h("section", { class: "card", "aria-labelledby": "resume-h" }, h("h2", { id: "resume-h" }, "Resume"),
        h("pre", { class: "prose resume" }, c.resume_text || "")),
      h("section", { class: "card side", "aria-labelledby": "profile-h" }, h("h2", { id: "profile-h" }, "Profile"),
        h("dl", { class: "facts" },
          h("dt", {}, "Email"), h("dd", {}, c.email || "—"),
          h("dt", {}, "Location"), h("dd", {}, c.location || "—"),
          h("dt", {}, "Experience"), h("dd", {}, c.years_experience != null ? `${c.years_experience} years` : "—"),
          h("dt", {}, "Source"), h("dd", {}, c.source || "—"),
          h("dt", {}, "Id"), h("dd", {}, h("code", {}, c.id)),
          h("dt", {}, "Skills"), h("dd", {}, chips(c.skills))))));
}
