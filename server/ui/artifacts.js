// Each stage's output rendered for reading, the review's findings, and the editors.

import { h, field, chips, badge, statusBadge, humanize, capitalize, when } from "./dom.js";

const list = (items, render = (x) => x) =>
  items && items.length ? h("ul", { class: "bullets" }, items.map((x) => h("li", {}, render(x)))) : h("p", { class: "muted" }, "none");

const requirement = (r) => [r.text,
  r.min_years && !String(r.text).includes(String(r.min_years)) ? h("span", { class: "muted" }, ` (${r.min_years}+ years)`) : null];

export function renderIntake(jd) {
  return h("article", { class: "jd" },
    h("h2", {}, jd.title),
    h("p", { class: "muted" }, [jd.location, humanize(jd.employment_type)].filter(Boolean).join(" · ")),
    h("p", { class: "lead" }, jd.summary),
    h("h3", {}, "Responsibilities"), list(jd.responsibilities),
    h("h3", {}, "Must-haves"), list(jd.must_haves, requirement),
    h("h3", {}, "Nice-to-haves"), list(jd.nice_to_haves, requirement),
    h("details", {}, h("summary", {}, "Full posting text"), h("pre", { class: "prose" }, jd.text)));
}

/** Sourcing: the plan, what the pool looks like, and the candidates (with ``votes``). */
export function renderSourcing(artifact, votes) {
  const plan = artifact.plan || {};
  const insights = artifact.insights || {};
  const found = (artifact.results && artifact.results.candidates) || [];
  return h("div", { class: "stack" },
    h("section", { class: "card", "aria-labelledby": "plan-h" },
      h("h2", { id: "plan-h" }, "Search plan"),
      h("dl", { class: "facts" },
        h("dt", {}, "Required skills"), h("dd", {}, chips(plan.required_skills, "strong")),
        h("dt", {}, "Optional skills"), h("dd", {}, chips(plan.optional_skills)),
        h("dt", {}, "Related skills"), h("dd", {}, chips(plan.related_skills)),
        h("dt", {}, "Minimum years"), h("dd", {}, plan.min_years ?? "any"),
        h("dt", {}, "Location"), h("dd", {}, plan.location || "anywhere"),
        h("dt", {}, "Boolean query"), h("dd", {}, h("code", { class: "query" }, plan.boolean_query || "")),
        plan.learned && plan.learned.length ? [h("dt", {}, "Learned from you"), h("dd", {}, chips(plan.learned, "memory"))] : null)),
    h("section", { class: "card", "aria-labelledby": "insights-h" },
      h("h2", { id: "insights-h" }, "Pool insights"),
      h("p", {}, `${insights.meeting_all ?? "?"} of ${insights.pool_size ?? "?"} candidates in your pool meet every must-have.`),
      insights.narrowest ? h("p", { class: "callout" }, insights.narrowest.message) : null,
      insights.must_haves && insights.must_haves.length ? h("table", { class: "table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Must-have"), h("th", { scope: "col" }, "Candidates"))),
        h("tbody", {}, insights.must_haves.map((m) => h("tr", {}, h("td", {}, m.requirement), h("td", {}, String(m.candidates)))))) : null,
      insights.co_occurring && insights.co_occurring.length ?
        [h("h3", {}, "Often seen alongside"), chips(insights.co_occurring.map((c) => `${c.skill} (${c.candidates})`))] : null),
    h("section", { class: "card", "aria-labelledby": "found-h" },
      h("h2", { id: "found-h" }, `Candidates found (${found.length})`),
      found.length ? h("ol", { class: "candidates" }, found.map((c) => h("li", { class: "candidate" },
        h("div", { class: "candidate-head" },
          h("h3", {}, h("a", { href: `#/candidates/${c.candidate_id}` }, c.name || c.candidate_id)),
          badge(`score ${Math.round((c.score || 0) * 100)}`, "info")),
        h("p", { class: "muted" }, c.headline || ""),
        chips(c.matched_skills),
        votes ? votes.control(c.candidate_id, c.name || c.candidate_id) : null))) : h("p", { class: "muted" }, "No candidates matched.")));
}

/** Evidence quotes with the matched words highlighted (as <mark>, built from text). */
function quote(text, terms) {
  const node = h("blockquote", { class: "evidence" });
  if (!terms.length) {
    node.textContent = text;
    return node;
  }
  const pattern = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "gi");
  for (const [i, part] of text.split(pattern).entries()) {
    if (!part) continue;
    node.append(i % 2 ? h("mark", {}, part) : document.createTextNode(part));
  }
  return node;
}

function termsOf(requirement) {
  return String(requirement || "").toLowerCase().split(/[^a-z0-9+#]+/)
    .filter((w) => w.length > 2 && !["years", "and", "the", "with", "experience", "professional", "production", "development"].includes(w));
}

/** Screening: the shortlist, each requirement's verdict and its evidence. */
export function renderScreening(artifact, votes, names = new Map()) {
  const candidates = artifact.candidates || [];
  return h("section", { class: "stack", "aria-label": "Shortlist" },
    h("p", {}, `${candidates.length} candidates screened for `, h("strong", {}, artifact.job_title || "this role"), "."),
    candidates.length ? h("ol", { class: "shortlist" }, candidates.map((c) => h("li", { class: "card candidate" },
      h("div", { class: "candidate-head" },
        h("h3", {}, `#${c.rank} `, h("a", { href: `#/candidates/${c.candidate_id}` }, c.name || names.get(c.candidate_id) || c.candidate_id)),
        badge(`score ${c.score}`, "info"),
        badge(`${c.must_haves_met}/${c.must_haves_total} must-haves`, c.must_haves_met === c.must_haves_total ? "ok" : "warn")),
      h("p", {}, c.summary),
      h("details", { open: c.rank === 1 }, h("summary", {}, "Criterion by criterion"),
        h("table", { class: "table criteria" },
          h("thead", {}, h("tr", {}, ["Requirement", "Verdict", "Evidence"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, (c.assessments || []).map((a) => h("tr", {},
            h("td", {}, a.requirement, h("div", { class: "muted small" }, humanize(a.kind))),
            h("td", {}, statusBadge(a.status)),
            h("td", {}, (a.evidence || []).map((e) => quote(e, termsOf(a.requirement))),
              a.reason ? h("p", { class: "muted small" }, a.reason) : null,
              !(a.evidence || []).length && !a.reason ? h("span", { class: "muted" }, "no evidence found") : null)))))),
      votes ? votes.control(c.candidate_id, c.name || names.get(c.candidate_id) || c.candidate_id) : null))) : h("p", { class: "muted" }, "Nobody was shortlisted."));
}

export function renderOutreach(artifact, names = new Map()) {
  const messages = artifact.messages || [];
  const slots = artifact.slots || [];
  const invites = artifact.invites || [];
  return h("div", { class: "stack" },
    h("section", { class: "card", "aria-labelledby": "msgs-h" },
      h("h2", { id: "msgs-h" }, `Messages (${messages.length})`),
      h("p", { class: "muted" }, "Nothing is sent until you confirm this stage."),
      messages.map((m) => h("article", { class: "message" },
        h("dl", { class: "facts" }, h("dt", {}, "To"), h("dd", {}, m.to || m.candidate_id), h("dt", {}, "Subject"), h("dd", {}, m.subject)),
        h("pre", { class: "prose" }, m.body)))),
    h("section", { class: "card", "aria-labelledby": "slots-h" },
      h("h2", { id: "slots-h" }, `Proposed interview slots (${slots.length})`),
      slots.length ? h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["Candidate", "Starts", "Ends", "Interviewers"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, slots.map((s) => h("tr", {},
          h("td", {}, h("a", { href: `#/candidates/${s.candidate_id}` }, names.get(s.candidate_id) || s.candidate_id)),
          h("td", {}, when(s.start)), h("td", {}, when(s.end)), h("td", {}, (s.interviewers || []).join(", ")))))) : h("p", { class: "muted" }, "none"),
      invites.length ? h("p", { class: "muted small" }, `${invites.length} calendar invitations prepared: `, invites.map((i) => i.filename).join(", ")) : null));
}

export function renderArtifact(stage, artifact, votes, names) {
  if (!artifact) return h("p", { class: "muted" }, "No output yet.");
  if (stage === "intake") return renderIntake(artifact);
  if (stage === "sourcing") return renderSourcing(artifact, votes);
  if (stage === "screening") return renderScreening(artifact, votes, names);
  if (stage === "outreach") return renderOutreach(artifact, names);
  return renderOutput(stage, artifact);
}

const MAX_DEPTH = 5;
const isScalar = (v) => v === null || typeof v !== "object";

/** One JSON value for reading, as text only: objects as definition lists (keys humanized),
 * lists of scalars as bullets, lists of objects as cards; deeper than ``MAX_DEPTH``: JSON text. */
function renderValue(value, depth = 0) {
  if (value === null || value === undefined || value === "") return h("span", { class: "muted" }, "none");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (isScalar(value)) {
    const text = String(value);
    return text.length > 120 || text.includes("\n") ? h("p", { class: "long-text" }, text) : text;
  }
  if (depth >= MAX_DEPTH) return h("pre", { class: "prose" }, JSON.stringify(value, null, 2));
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "muted" }, "none");
    if (value.every(isScalar)) return h("ul", { class: "bullets" }, value.map((v) => h("li", {}, renderValue(v, depth + 1))));
    return h("ol", { class: "output-cards" }, value.map((v) => h("li", { class: "output-card" }, renderValue(v, depth + 1))));
  }
  const entries = Object.entries(value);
  if (!entries.length) return h("span", { class: "muted" }, "none");
  return h("dl", { class: "facts" }, entries.map(([key, v]) => [h("dt", {}, capitalize(key)), h("dd", {}, renderValue(v, depth + 1))]));
}

/** A custom stage's output (any model's JSON): its simple fields together, then one card per
 * list or object field, and the exact JSON on request. */
export function renderOutput(stage, artifact) {
  if (isScalar(artifact) || Array.isArray(artifact)) return h("section", { class: "card" }, renderValue(artifact, 1));
  const entries = Object.entries(artifact);
  const simple = entries.filter(([, v]) => isScalar(v));
  const nested = entries.filter(([, v]) => !isScalar(v));
  return h("div", { class: "stack", role: "region", "aria-label": `${capitalize(stage)} output` },
    simple.length ? h("section", { class: "card" }, renderValue(Object.fromEntries(simple), 1)) : null,
    nested.map(([key, v]) => h("section", { class: "card" },
      h("h2", {}, capitalize(key), Array.isArray(v) ? ` (${v.length})` : ""), renderValue(v, 1))),
    h("details", { class: "card" }, h("summary", {}, "Output as JSON"), h("pre", { class: "prose" }, JSON.stringify(artifact, null, 2))));
}

export function renderReview(review) {
  if (!review) return h("p", { class: "muted" }, "Not reviewed yet.");
  return h("div", {},
    h("p", {}, "Verdict: ", statusBadge(review.verdict), review.summary ? ` ${review.summary}` : ""),
    review.findings && review.findings.length ? h("ul", { class: "findings" }, review.findings.map((f) => h("li", { class: `finding finding-${f.severity || "soft"}` },
      h("p", {}, badge(f.rule || "finding", f.severity === "hard" ? "bad" : "warn"), " ", f.message || ""),
      f.where || f.span ? h("p", { class: "muted small" }, f.where ? `in ${f.where}` : "", f.span ? [": ", h("mark", {}, f.span)] : "") : null,
      f.suggestion ? h("p", { class: "small" }, "Suggestion: ", f.suggestion) : null))) : h("p", { class: "muted" }, "No findings."));
}

const JD_TEXT_FIELDS = [
  ["title", "Title", "input"],
  ["location", "Location", "input"],
  ["employment_type", "Employment type", "input"],
  ["summary", "Summary", "textarea"],
  ["responsibilities", "Responsibilities (one per line)", "lines"],
  ["text", "Full posting text", "textarea"],
];

/** The job description's text fields as a form; ``read()`` answers the edited artifact. */
export function jdEditor(jd) {
  const controls = {};
  const fields = JD_TEXT_FIELDS.map(([key, label, kind]) => {
    const control = kind === "input" ? h("input", { type: "text", name: key }) : h("textarea", { name: key, rows: key === "text" ? 12 : 4 });
    control.value = kind === "lines" ? (jd[key] || []).join("\n") : jd[key] ?? "";
    controls[key] = [control, kind];
    return field(label, control);
  });
  return {
    node: h("fieldset", { class: "editor" }, h("legend", {}, "Edit the job description"),
      h("p", { class: "muted small" }, "Must-haves and nice-to-haves stay as drafted; reject with a reason to change them."), fields),
    read() {
      const edited = structuredClone(jd);
      for (const [key, [control, kind]] of Object.entries(controls)) {
        edited[key] = kind === "lines" ? control.value.split("\n").map((l) => l.trim()).filter(Boolean) : control.value;
      }
      return edited;
    },
  };
}

/** Any stage's output as JSON text, checked as the recruiter types. */
export function jsonEditor(artifact, stage) {
  const area = h("textarea", { class: "code", rows: 22, spellcheck: "false", name: "artifact" });
  area.value = JSON.stringify(artifact, null, 2);
  const error = h("p", { class: "field-error", role: "alert" });
  const check = () => {
    try {
      const value = JSON.parse(area.value);
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("the output must be a JSON object");
      error.textContent = "";
      area.removeAttribute("aria-invalid");
      return value;
    } catch (e) {
      error.textContent = `Not valid JSON: ${e.message}`;
      area.setAttribute("aria-invalid", "true");
      return null;
    }
  };
  area.addEventListener("input", check);
  return {
    node: h("fieldset", { class: "editor" }, h("legend", {}, `Edit the ${humanize(stage)} output (JSON)`),
      field("Output", area, "The server validates it for the stage; its messages appear here."), error),
    read: check,
  };
}

export { capitalize };
