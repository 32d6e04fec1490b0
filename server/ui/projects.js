// Projects: the list, creating one, and one project's pipeline and applications.

import { api, candidateNames, query } from "./api.js";
import { announce, go } from "./app.js";
import {
  h, append, replace, field, statusBadge, when, emptyState, errorBox, capitalize, humanize, spinner,
} from "./dom.js";

/** The built-in pipeline: what a project shows when the server names no ``stages``. */
export const STAGES = ["intake", "sourcing", "screening", "outreach"];
const STAGE_TEXT = {
  intake: "Job description from the intake notes",
  sourcing: "Search plan and candidates from your pool",
  screening: "Shortlist with evidence per requirement",
  outreach: "Messages and interview slots",
};
const CUSTOM_STAGE_TEXT = "A stage your team added: review its output before the flow goes on.";
export const PIPELINE = ["sourced", "screened", "shortlisted", "contacted", "interview_scheduled", "rejected", "hired"];

const NOTES_TEMPLATE = "Role: \nLocation: \nType: Full-time\nAbout the team: \nResponsibilities:\n- \nMust have:\n- \nNice to have:\n- ";

export async function projectsView(page, { signal }) {
  const list = h("div", {}, spinner("Loading projects…"));
  const title = h("input", { name: "title", required: true, maxlength: 300 });
  const company = h("input", { name: "company", maxlength: 300 });
  const notes = h("textarea", { name: "intake_notes", rows: 10, required: true, maxlength: 50000 });
  notes.value = NOTES_TEMPLATE;
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    replace(status);
    try {
      const project = await api("POST", "/projects", {
        json: { title: title.value.trim(), intake_notes: notes.value, company: company.value.trim() || null },
      });
      announce(`Project “${project.title}” created.`, "ok");
      go(`#/projects/${project.id}`);
    } catch (error) {
      replace(status, errorBox(error));
    }
  } },
  h("h2", {}, "New project"),
  field("Title", title),
  field("Company (optional)", company),
  field("Intake notes", notes, "The hiring manager's brief. Start with a “Role:” line; list must-haves and nice-to-haves."),
  status,
  h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, "Create project")));

  append(page, h("div", { class: "page-head" }, h("h1", {}, "Projects")),
    h("div", { class: "split" }, h("section", { "aria-label": "Your projects" }, list), form));
  const projects = await api("GET", "/projects", { signal });
  if (!projects.length) {
    replace(list, emptyState("No projects yet", "Create your first hiring project with the form: intake notes in, a job description out."));
    return;
  }
  replace(list, h("ul", { class: "cards" }, projects.map((p) => h("li", { class: "card project-card" },
    h("h2", {}, h("a", { href: `#/projects/${p.id}` }, p.title)),
    h("p", { class: "muted" }, p.company || "No company given", " · created ", when(p.created_at)),
    statusBadge(p.status)))));
}

/** Each stage's latest run (runs come oldest first). */
function latestByStage(runs) {
  // No prototype: a stage may be named like an Object property ("constructor").
  const latest = Object.create(null);
  for (const run of runs) latest[run.stage] = run;
  return latest;
}

export async function projectView(page, { params: [id], signal }) {
  const project = await api("GET", `/projects/${id}`, { signal });
  const latest = latestByStage(project.runs);
  const last = project.runs[project.runs.length - 1];
  const status = h("div", { "aria-live": "polite" });

  const actions = h("div", { class: "actions" });
  const canStart = !last || project.next.startsWith("start the flow");
  if (canStart && project.status !== "completed") {
    actions.append(h("button", { type: "button", class: "button primary", onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        const queued = await api("POST", `/projects/${id}/runs`, { json: { stage: "intake" } });
        announce("Intake started.");
        go(`#/runs/${queued.run_id}`);
      } catch (error) {
        replace(status, errorBox(error));
        event.currentTarget.disabled = false;
      }
    } }, last ? "Start again from intake" : "Start intake"));
  } else if (last && ["queued", "running", "awaiting_review", "failed"].includes(last.status)) {
    const stage = humanize(last.stage);
    const label = last.status === "awaiting_review" ? `Review ${stage}` :
      last.status === "failed" ? `Open failed ${stage} run` : `Follow ${stage} progress`;
    actions.append(h("a", { class: "button primary", href: `#/runs/${last.id}` }, label));
  }
  actions.append(h("a", { class: "button ghost", href: `#/projects/${id}/audit` }, "Audit timeline"));

  // The project's own pipeline (built-in and custom stages, in order), else the built-in one.
  const stages = Array.isArray(project.stages) && project.stages.length ? project.stages : STAGES;
  const steps = h("ol", { class: "pipeline", "aria-label": "Pipeline stages" }, stages.map((stage, index) => {
    const run = latest[stage];
    return h("li", { class: ["step", run && `step-${run.status}`] },
      h("span", { class: "step-number", "aria-hidden": "true" }, String(index + 1)),
      h("div", {},
        h("h3", {}, capitalize(stage)),
        h("p", { class: "muted small" }, (Object.hasOwn(STAGE_TEXT, stage) ? STAGE_TEXT[stage] : CUSTOM_STAGE_TEXT)),
        run ? h("p", {}, statusBadge(run.status), run.attempt > 1 ? ` attempt ${run.attempt}` : "") : h("p", { class: "muted" }, "not started"),
        run ? h("a", { href: `#/runs/${run.id}`, "aria-label": `Open the ${humanize(stage)} run` }, "Open run") : null));
  }));

  append(page,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/projects" }, "Projects"), " / "),
    h("div", { class: "page-head" }, h("h1", {}, project.title), statusBadge(project.status)),
    h("p", { class: "muted" }, project.company || "", project.company ? " · " : "", "created ", when(project.created_at)),
    h("section", { class: "card", "aria-labelledby": "pipeline-h" },
      h("h2", { id: "pipeline-h" }, "Pipeline"),
      steps,
      h("p", { class: "next" }, h("strong", {}, "Next: "), project.next),
      status, actions),
    h("details", { class: "card" }, h("summary", {}, "Intake notes"), h("pre", { class: "prose" }, project.intake_notes)),
    await applicationsSection(project, signal));
  followSettling(project, last, signal);
}

/** Looks left per project while its flow moves on from a confirmed stage. */
const settling = new Map();

/** Right after a confirmation the flow is still moving on (queueing the next stage, or ending):
 * look again shortly, a few times, so the page does not stay on the moment in between. */
function followSettling(project, last, signal) {
  if (!(last && last.status === "confirmed" && project.status === "active")) {
    settling.delete(project.id);
    return;
  }
  const left = settling.has(project.id) ? settling.get(project.id) : 10;
  if (left <= 0) return;
  settling.set(project.id, left - 1);
  setTimeout(() => { if (!signal.aborted) go(`#/projects/${project.id}`); }, 1000);
}

async function applicationsSection(project, signal) {
  const projectId = project.id;
  const section = h("section", { class: "card", "aria-labelledby": "apps-h" });
  const select = h("select", { name: "stage" }, h("option", { value: "" }, "All stages"),
    PIPELINE.map((s) => h("option", { value: s }, capitalize(s))));
  const list = h("div", {});
  const names = await candidateNames(signal, project);
  const load = async () => {
    replace(list, spinner("Loading applications…"));
    try {
      const apps = await api("GET", `/projects/${projectId}/applications${query({ stage: select.value })}`, { signal });
      if (!apps.length) {
        replace(list, emptyState("No candidates here yet",
          select.value ? `Nobody is at “${humanize(select.value)}”.` : "Confirming the sourcing stage adds its candidates to the pipeline."));
        return;
      }
      replace(list, h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["Candidate", "Stage", "Last move", "Move to"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, apps.map((a) => applicationRow(a, names.get(a.candidate_id) || a.candidate_id, load)))));
    } catch (error) {
      if (error.name !== "AbortError") replace(list, errorBox(error));
    }
  };
  select.addEventListener("change", load);
  append(section, h("h2", { id: "apps-h" }, "Candidates in this project"), field("Show stage", select), list);
  await load();
  return section;
}

function applicationRow(app, name, reload) {
  const last = app.history[app.history.length - 1];
  const target = h("select", { "aria-label": `New stage for ${name}` },
    PIPELINE.map((s) => h("option", { value: s, selected: s === app.stage }, capitalize(s))));
  const reason = h("input", { type: "text", maxlength: 2000, placeholder: "Reason", "aria-label": `Reason for moving ${name}` });
  const problem = h("div", {});
  const form = h("form", { class: "inline-form", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", `/applications/${app.id}`, { json: { stage: target.value, reason: reason.value.trim() || null } });
      announce(`${name} moved to ${humanize(target.value)}.`, "ok");
      await reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  } }, target, reason, h("button", { type: "submit", class: "button small", "aria-label": `Move ${name}` }, "Move"), problem);
  return h("tr", {},
    h("td", {}, h("a", { href: `#/candidates/${app.candidate_id}` }, name)),
    h("td", {}, statusBadge(app.stage)),
    h("td", {}, last ? [when(last.at), last.why ? h("div", { class: "muted small" }, last.why) : null] : ""),
    h("td", {}, form));
}
