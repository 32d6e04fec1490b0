// One stage run: live progress while it works, then its output, review and decision.

import { api, candidateNames, followEvents } from "./api.js";
import { announce, go } from "./app.js";
import { confirmDialog, promptDialog } from "./dialog.js";
import { h, append, replace, field, statusBadge, capitalize, when, errorBox, humanize } from "./dom.js";
import { renderArtifact, renderReview, jdEditor, jsonEditor } from "./artifacts.js";
import { STAGES } from "./projects.js";

/** The stage a confirm of ``run`` starts (null: it is the last one), as the server says; a
 * server that does not say yet: the stage after it in the project's pipeline. */
function nextStage(run, project) {
  if (run.next_stage !== undefined) return run.next_stage;
  const stages = (project && project.stages) || STAGES;
  const index = stages.indexOf(run.stage);
  return index >= 0 ? stages[index + 1] || null : null;
}

/** One event as a line for people: who, what; null for the ones not worth showing (hooks,
 * LLM replies and the like stay in the audit trail). */
export function describeEvent(kind, record) {
  const p = (record && record.payload) || {};
  switch (kind) {
    case "run_started": return { who: "hirecrew", what: `Hiring flow started${p.title ? ` for “${p.title}”` : ""}` };
    case "run_completed": return { who: "hirecrew", what: "Every stage confirmed" };
    case "stage_started": return { who: "hirecrew", what: `${capitalize(record.stage || "stage")} started (attempt ${p.attempt || 1})` };
    case "memories_recalled": return { who: "Memory", what: `Recalled ${(p.memory_ids || []).length} of your memories` };
    case "stage_reviewed": return { who: "Compliance reviewer", what: `Review round ${p.round || 1}: ${p.verdict}${(p.findings || []).length ? ` (${p.findings.length} findings)` : ""}` };
    case "stage_failed": return { who: "hirecrew", what: `Failed: ${p.error || "unknown error"}` };
    case "stage_stopped": return { who: "hirecrew", what: "Stopped" };
    case "crewai_event": break;
    default: return { who: record.actor || "hirecrew", what: humanize(kind) };
  }
  const agent = p.agent_role || "Crew";
  switch (p.event) {
    case "crew_kickoff_started": return { who: "Crew", what: "Crew assembled, starting work" };
    case "crew_kickoff_completed": return { who: "Crew", what: "Crew finished" };
    case "task_started": return { who: "Crew", what: `Task: ${humanize(p.task_name || "")}` };
    case "task_completed": return { who: "Crew", what: `Task done: ${humanize(p.task_name || "")}` };
    case "agent_logs_started": return { who: agent, what: "is working" };
    case "llm_call_started": return { who: agent, what: "is thinking" };
    case "tool_usage_started": return { who: agent, what: `uses ${humanize(p.tool_name || "a tool")}` };
    case "tool_usage_finished": return { who: agent, what: `finished with ${humanize(p.tool_name || "a tool")}` };
    case "tool_usage_error": return { who: agent, what: `tool error: ${p.error || ""}` };
    default: return null;
  }
}

function progressPanel(run, signal, onEnd) {
  const now = h("p", { class: "now", role: "status", "aria-live": "polite" }, "Waiting for a worker…");
  const log = h("ol", { class: "progress-log", "aria-label": "Activity" });
  const panel = h("section", { class: "card progress", "aria-labelledby": "progress-h" },
    h("h2", { id: "progress-h" }, h("span", { class: "spin", "aria-hidden": "true" }), `The ${humanize(run.stage)} crew is working`),
    now, log);
  let lastText = "";
  followEvents(run.id, (frame) => {
    if (frame.event === "end") {
      now.textContent = `Finished: ${humanize(frame.data.status)}.`;
      onEnd();
      return;
    }
    const line = describeEvent(frame.event, frame.data);
    if (!line) return;
    const text = `${line.who} ${line.what}`;
    if (text === lastText) return;
    lastText = text;
    now.textContent = text;
    log.append(h("li", {}, h("span", { class: "who" }, line.who), " ", line.what, " ", h("span", { class: "muted small" }, when(frame.data.at))));
    log.scrollTop = log.scrollHeight;
  }, signal).then(() => {}, (error) => {
    if (error.name === "AbortError") return;
    now.textContent = "Lost the live feed; checking the run instead…";
    setTimeout(onEnd, 1500);
  });
  return panel;
}

/** Thumbs up/down per candidate, with a reason; ``list()`` answers the decision's votes. */
function voteBox() {
  const votes = new Map();
  return {
    list: () => [...votes.entries()].filter(([, v]) => v.vote).map(([candidate_id, v]) => ({ candidate_id, vote: v.vote, reason: v.reason || null })),
    control(candidateId, name) {
      const state = votes.get(candidateId) || { vote: null, reason: "" };
      votes.set(candidateId, state);
      const reason = h("input", { type: "text", maxlength: 2000, placeholder: "Why? (teaches hirecrew)", "aria-label": `Reason for your vote on ${name}`, hidden: true,
        oninput: () => { state.reason = reason.value; } });
      const make = (vote, label, symbol) => h("button", { type: "button", class: ["button", "small", "vote", `vote-${vote}`], "aria-pressed": "false", "aria-label": `${label} ${name}`,
        onclick: () => {
          state.vote = state.vote === vote ? null : vote;
          up.setAttribute("aria-pressed", String(state.vote === "up"));
          down.setAttribute("aria-pressed", String(state.vote === "down"));
          reason.hidden = !state.vote;
          if (state.vote) reason.focus();
        } }, h("span", { "aria-hidden": "true" }, symbol), ` ${label}`);
      const up = make("up", "Thumbs up", "👍");
      const down = make("down", "Thumbs down", "👎");
      return h("div", { class: "votes", role: "group", "aria-label": `Your vote on ${name}` }, up, down, reason);
    },
  };
}

function confirmText(run, votes, next) {
  const a = run.artifact || {};
  const extra = votes.length ? ` Your ${votes.length} vote${votes.length > 1 ? "s" : ""} will be remembered.` : "";
  if (run.stage === "outreach") {
    return `This will approve ${(a.messages || []).length} messages and ${(a.invites || a.slots || []).length} interview invitations — confirm?${extra}`;
  }
  const then = next ? ` The ${humanize(next)} stage starts right away.` : " It is the last stage: the flow completes.";
  return `Confirm the ${humanize(run.stage)} output?${then}${extra}`;
}

export async function runView(page, { params: [id], signal }) {
  const run = await api("GET", `/runs/${id}`, { signal });
  const project = await api("GET", `/projects/${run.project_id}`, { signal });
  const stageName = humanize(run.stage);
  const next = nextStage(run, project);
  const reload = () => go(`#/runs/${id}`);
  const status = h("div", { "aria-live": "polite" });
  append(page,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/projects" }, "Projects"), " / ", h("a", { href: `#/projects/${project.id}` }, project.title), " / "),
    h("div", { class: "page-head" }, h("h1", {}, `${capitalize(run.stage)} review`), statusBadge(run.status),
      run.attempt > 1 ? h("span", { class: "muted" }, `attempt ${run.attempt}`) : null),
    status);

  const decide = async (body, success) => {
    replace(status);
    try {
      const view = await api("POST", `/runs/${id}/decision`, { json: body });
      announce(success, "ok");
      if (view.next_run_id) go(`#/runs/${view.next_run_id}`);
      else reload();
    } catch (error) {
      replace(status, errorBox(error));
      status.scrollIntoView({ block: "nearest" });
    }
  };
  const stopButton = () => h("button", { type: "button", class: "button danger ghost", onclick: async () => {
    const ok = await confirmDialog({ title: "Stop this project's flow?", message: `Stopping ends the flow at ${stageName}; nothing further runs. You can start again from intake later.`, confirmLabel: "Stop the flow", danger: true });
    if (ok) await decide({ action: "stop" }, "Flow stopped.");
  } }, "Stop");

  if (run.status === "queued" || run.status === "running") {
    append(page, progressPanel(run, signal, () => { if (!signal.aborted) reload(); }));
    if (run.actions.includes("stop")) append(page, h("div", { class: "actions" }, stopButton()));
    return;
  }

  if (run.error) append(page, h("div", { class: "alert alert-error", role: "alert" }, h("p", {}, h("strong", {}, "This stage failed: "), run.error)));
  if (run.decision) {
    const d = run.decision;
    append(page, h("div", { class: "alert alert-info" },
      h("p", {}, h("strong", {}, `Decided: ${d.action}`), " by ", d.actor_id, " on ", when(d.at), d.comment ? ` — “${d.comment}”` : ""),
      d.votes && d.votes.length ? h("ul", {}, d.votes.map((v) => h("li", {}, `${v.vote === "up" ? "👍" : "👎"} ${v.candidate_id}${v.reason ? `: ${v.reason}` : ""}`))) : null,
      run.next_run_id ? h("p", {}, h("a", { class: "button primary", href: `#/runs/${run.next_run_id}` },
        d.action === "reject" ? `Go to the new ${stageName} attempt` : `Go to the ${next ? humanize(next) : "next"} stage`)) : null));
  }

  const canDecide = run.actions.includes("confirm");
  const votes = canDecide && (run.stage === "sourcing" || run.stage === "screening") ? voteBox() : null;
  const names = run.stage === "screening" || run.stage === "outreach" ? await candidateNames(signal, project) : new Map();
  const output = h("div", {}, renderArtifact(run.stage, run.artifact, votes, names));
  const memoryText = new Map();
  if (run.memory_ids.length) {
    try {
      for (const m of await api("GET", "/memories?limit=200", { signal })) memoryText.set(m.id, m.text);
    } catch (error) {
      if (error.name === "AbortError" || error.status === 401) throw error; // else: ids only
    }
  }
  const side = h("aside", { class: "side stack" },
    h("section", { class: "card", "aria-labelledby": "review-h" }, h("h2", { id: "review-h" }, "Compliance review"), renderReview(run.review)),
    h("section", { class: "card", "aria-labelledby": "mem-h" }, h("h2", { id: "mem-h" }, "Memories that shaped this"),
      run.memory_ids.length ? h("ul", { class: "bullets" }, run.memory_ids.map((m) => h("li", {},
        h("a", { href: "#/memories" }, memoryText.get(m) || h("code", {}, m)),
        run.memories_applied.includes(m) ? h("span", { class: "muted small" }, " (changed the output)") : ""))) : h("p", { class: "muted" }, "None recalled for this run."),
      run.memories_learned.length ? h("p", {}, `${run.memories_learned.length} learned from your decision. `, h("a", { href: "#/memories" }, "See what hirecrew learned")) : null));
  append(page, h("div", { class: "review-layout" }, h("div", { class: "stack" }, output), side));

  if (!run.actions.length) return;
  const bar = h("div", { class: "actions sticky-actions", role: "group", "aria-label": "Decision" });
  let editor = null;
  const editButton = h("button", { type: "button", class: "button", onclick: () => {
    if (editor) return;
    editor = run.stage === "intake" ? jdEditor(run.artifact) : jsonEditor(run.artifact, run.stage);
    const comment = h("input", { type: "text", maxlength: 2000, name: "comment" });
    const commentField = field("Comment (optional)", comment, "Say why; required when the compliance review finds a problem in your edit.");
    const save = h("button", { type: "button", class: "button primary", onclick: async () => {
      const edited = editor.read();
      if (!edited) return;
      const ok = await confirmDialog({ title: "Save your edits and confirm?", message: confirmText({ ...run, artifact: edited }, votes ? votes.list() : [], next), confirmLabel: "Save and confirm" });
      if (ok) await decide({ action: "edit", artifact: edited, comment: comment.value.trim() || null, votes: votes ? votes.list() : [] }, "Edits saved and confirmed.");
    } }, "Save edits and confirm");
    const cancel = h("button", { type: "button", class: "button ghost", onclick: () => { replace(output, renderArtifact(run.stage, run.artifact, votes, names)); editor = null; editButton.focus(); } }, "Cancel editing");
    replace(output, editor.node, commentField, h("div", { class: "actions" }, save, cancel));
    const first = output.querySelector("input, textarea");
    if (first) first.focus();
  } }, "Edit");
  if (canDecide) {
    bar.append(h("button", { type: "button", class: "button primary", onclick: async () => {
      const list = votes ? votes.list() : [];
      const ok = await confirmDialog({ title: `Confirm ${stageName}`, message: confirmText(run, list, next), confirmLabel: run.stage === "outreach" ? "Approve and send" : "Confirm" });
      if (ok) await decide({ action: "confirm", votes: list }, `${capitalize(run.stage)} confirmed.`);
    } }, "Confirm"), editButton);
  }
  if (run.actions.includes("reject")) {
    bar.append(h("button", { type: "button", class: "button", onclick: async () => {
      const reason = await promptDialog({ title: `Reject the ${stageName} output`, message: "The stage runs again with your reason as feedback.", label: "Reason", confirmLabel: "Reject and re-run" });
      if (reason) await decide({ action: "reject", comment: reason, votes: votes ? votes.list() : [] }, "Rejected; the stage runs again.");
    } }, run.status === "failed" ? "Retry (reject)" : "Reject"));
  }
  if (run.actions.includes("stop")) bar.append(stopButton());
  append(page, bar);
}
