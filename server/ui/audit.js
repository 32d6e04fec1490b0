// A project's audit trail as a timeline: agents' steps and people's decisions, by stage.

import { api, query } from "./api.js";
import { describeEvent } from "./review.js";
import { h, append, replace, when, emptyState, capitalize, humanize, badge } from "./dom.js";

const HUMAN = { human_decision: "Decision", application_moved: "Candidate moved" };
const DECISIONS = { confirm: "Confirmed", edit: "Edited and confirmed", reject: "Rejected", stop: "Stopped" };
const LABELS = {
  run_started: "Hiring flow started", run_completed: "Hiring flow completed", run_stopped: "Hiring flow stopped",
  stage_started: "Stage started", stage_reviewed: "Compliance review", stage_failed: "Stage failed",
  stage_stopped: "Stage stopped", memories_recalled: "Memories recalled", memory_unavailable: "Memory unavailable",
};

function entry(event) {
  const p = event.payload || {};
  if (HUMAN[event.kind]) {
    const what = event.kind === "human_decision" ?
      `${DECISIONS[p.decision] || capitalize(p.decision || "decided")}${p.reason ? `: “${p.reason}”` : ""}` :
      `${p.candidate_id || ""}: ${humanize(p.stage_before)} → ${humanize(p.stage_after)}${p.reason ? ` (“${p.reason}”)` : ""}`;
    return { type: "human", label: HUMAN[event.kind], who: event.actor || "a person", what };
  }
  if (event.kind === "crewai_event") {
    const line = describeEvent(event.kind, event);
    return line ? { type: "agent", label: "Agent", who: line.who, what: line.what, detail: true } : null;
  }
  const line = describeEvent(event.kind, event);
  const findings = event.kind === "stage_reviewed" ? (p.findings || []).map((f) => f.message).filter(Boolean) : [];
  return { type: "system", label: LABELS[event.kind] || capitalize(event.kind), who: event.actor || (line && line.who) || "hirecrew",
    what: line ? line.what : "", findings };
}

export async function auditView(page, { params: [id], signal }) {
  const project = await api("GET", `/projects/${id}`, { signal });
  const events = [];
  let after = null;
  for (let pages = 0; pages < 20; pages += 1) {
    const batch = await api("GET", `/audit${query({ project_id: id, after, limit: 1000 })}`, { signal });
    events.push(...batch.events);
    if (batch.next_after == null) break;
    after = batch.next_after;
  }
  const showAll = h("input", { type: "checkbox", id: "show-agents" });
  const timeline = h("div", {});
  const draw = () => {
    const groups = [];
    for (const event of events) {
      const e = entry(event);
      if (!e || (e.type === "agent" && !showAll.checked)) continue;
      const stage = event.stage || "project";
      if (!groups.length || groups[groups.length - 1].stage !== stage) groups.push({ stage, items: [] });
      groups[groups.length - 1].items.push([event, e]);
    }
    if (!groups.length) {
      replace(timeline, emptyState("Nothing recorded yet", "Start the intake stage: every agent step and decision appears here."));
      return;
    }
    replace(timeline, groups.map((g) => h("section", { class: "audit-group", "aria-label": `${capitalize(g.stage)} events` },
      h("h2", {}, capitalize(g.stage)),
      h("ol", { class: "timeline" }, g.items.map(([event, e]) => h("li", { class: ["tl", `tl-${e.type}`] },
        h("div", { class: "tl-meta" }, badge(e.label, e.type === "human" ? "ok" : e.type === "agent" ? "info" : "muted"), " ", when(event.at)),
        h("p", {}, h("strong", { class: "who" }, e.who), " ", e.what),
        e.findings && e.findings.length ? h("ul", { class: "bullets small" }, e.findings.map((f) => h("li", {}, f))) : null))))));
  };
  showAll.addEventListener("change", draw);
  const humans = events.filter((e) => HUMAN[e.kind]).length;
  append(page,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/projects" }, "Projects"), " / ", h("a", { href: `#/projects/${id}` }, project.title), " / "),
    h("div", { class: "page-head" }, h("h1", {}, "Audit timeline")),
    h("p", { class: "muted" }, `${events.length} events recorded, ${humans} by people. Entries are hash-chained and cannot be edited.`),
    h("div", { class: "field inline" }, showAll, h("label", { for: "show-agents" }, "Show agents' steps (tools, tasks)")),
    timeline);
  draw();
}
