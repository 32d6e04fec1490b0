"""Why a candidate was advanced or not, rebuilt from the audit trail alone.

The flow files one ``candidate_assessed`` entry per candidate of every stage output it sends
to a gate (what the search found, the screening's criterion-by-criterion verdicts with their
quotes, the outreach drafted) beside the review and the human decision (with per-candidate
votes and, after an edit, the candidates kept). :func:`explain_candidate` reads those entries
back, in order, so the story holds without the database or the flow's state: what the log
says is what happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from domain.artifacts import Review

__all__ = [
    "CandidateStory",
    "RunStory",
    "StageStep",
    "candidate_entries",
    "candidate_ids",
    "explain_candidate",
]

STAGE_ORDER = ("intake", "sourcing", "screening", "outreach")


def _entries(stage: str, artifact: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The per-candidate items of a stage output (JSON form), in output order."""
    if not artifact:
        return []
    if stage == "sourcing":
        results = artifact.get("results")
        items = results.get("candidates", []) if isinstance(results, Mapping) else []
    elif stage == "screening":
        items = artifact.get("candidates", [])
    elif stage == "outreach":
        items = artifact.get("messages", [])
    else:
        return []
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def candidate_ids(stage: str, artifact: Mapping[str, Any] | None) -> list[str]:
    """The candidate ids of a stage output, in order, once each."""
    ids: list[str] = []
    for item in _entries(stage, artifact):
        cid = item.get("candidate_id")
        if isinstance(cid, str) and cid and cid not in ids:
            ids.append(cid)
    return ids


def candidate_entries(
    stage: str, artifact: Mapping[str, Any] | None, review: Review | None
) -> list[dict[str, Any]]:
    """The ``candidate_assessed`` audit fields for each candidate of a stage output: ids,
    ranks, scores, verdicts and quotes; never names, contact details or whole resumes."""
    if not artifact:
        return []
    findings: dict[str, list[dict[str, Any]]] = {}
    for finding in review.findings if review else []:
        if finding.where:
            findings.setdefault(finding.where, []).append(
                {"rule": finding.rule, "severity": finding.severity, "message": finding.message}
            )
    verdict = review.verdict.value if review else None
    entries: list[dict[str, Any]] = []
    if stage == "outreach":
        slots = {
            s.get("candidate_id"): s
            for s in artifact.get("slots", []) or []
            if isinstance(s, Mapping)
        }
    for rank, item in enumerate(_entries(stage, artifact), start=1):
        cid = item.get("candidate_id")
        if not isinstance(cid, str) or not cid:
            continue
        details: dict[str, Any]
        if stage == "sourcing":
            plan = artifact.get("plan") if isinstance(artifact.get("plan"), Mapping) else {}
            details = {
                "rank": rank,
                "score": item.get("score"),
                "matched_skills": item.get("matched_skills", []),
                "must_haves": (plan or {}).get("must_haves", []),
            }
        elif stage == "screening":
            details = {
                "rank": item.get("rank", rank),
                "score": item.get("score"),
                "must_haves_met": item.get("must_haves_met"),
                "must_haves_total": item.get("must_haves_total"),
                "criteria": [
                    {
                        "requirement": a.get("requirement"),
                        "kind": a.get("kind"),
                        "status": a.get("status"),
                        "evidence": a.get("evidence", []),
                        "reason": a.get("reason", ""),
                    }
                    for a in item.get("assessments", []) or []
                    if isinstance(a, Mapping)
                ],
            }
        else:
            slot = slots.get(cid) or {}
            details = {
                "subject": item.get("subject"),
                "interview_start": slot.get("start"),
                "interview_end": slot.get("end"),
            }
        entries.append(
            {
                "candidate_id": cid,
                "details": details,
                "review_verdict": verdict,
                "review_findings": findings.get(cid, []),
            }
        )
    return entries


class StageStep(BaseModel):
    """One stage attempt that concerned the candidate (or left them out)."""

    stage: str
    attempt: int | None = None
    assessed: dict[str, Any] | None = Field(
        default=None, description="what the stage said about the candidate; None: left out"
    )
    review_verdict: str | None = None
    review_findings: list[dict[str, Any]] = Field(default_factory=list)
    decision: str | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    votes: list[dict[str, Any]] = Field(default_factory=list)
    outcome: str = ""


class RunStory(BaseModel):
    run_id: str
    project_id: str | None = None
    steps: list[StageStep] = Field(default_factory=list)
    outcome: str = ""


class CandidateStory(BaseModel):
    candidate_id: str
    runs: list[RunStory] = Field(default_factory=list)
    moves: list[dict[str, Any]] = Field(default_factory=list)


def explain_candidate(records: Iterable[Mapping[str, Any]], candidate_id: str) -> CandidateStory:
    """Rebuild, from audit records in order (the CLI's JSONL trail or the server's table),
    every run that considered ``candidate_id``: each stage attempt's assessment, review and
    human decision, and where the candidate ended up."""
    runs: dict[str, RunStory] = {}
    open_steps: dict[tuple[str, str], StageStep] = {}  # (run, stage) -> the latest attempt
    reviewed: dict[tuple[str, str], Mapping[str, Any]] = {}
    story = CandidateStory(candidate_id=candidate_id)
    for record in records:
        kind = record.get("kind")
        fields = _fields(record)
        run_id, stage = record.get("run_id"), record.get("stage")
        if kind == "application_moved" and fields.get("candidate_id") == candidate_id:
            story.moves.append(
                {
                    "from": fields.get("stage_before"),
                    "to": fields.get("stage_after"),
                    "reason": fields.get("reason"),
                    "at": record.get("at"),
                    "actor": record.get("actor"),
                }
            )
            continue
        if not isinstance(run_id, str) or not isinstance(stage, str):
            continue
        key = (run_id, stage)
        if kind == "stage_started":
            reviewed.pop(key, None)
            open_steps.pop(key, None)
        elif kind == "stage_reviewed":
            reviewed[key] = fields
        elif kind == "candidate_assessed" and fields.get("candidate_id") == candidate_id:
            run = runs.setdefault(
                run_id, RunStory(run_id=run_id, project_id=record.get("project_id"))
            )
            step = StageStep(
                stage=stage,
                attempt=fields.get("attempt"),
                assessed=fields.get("details") or {},
                review_verdict=fields.get("review_verdict"),
                review_findings=fields.get("review_findings") or [],
            )
            run.steps.append(step)
            open_steps[key] = step
        elif kind == "human_decision" and run_id in runs:
            decided = open_steps.pop(key, None)
            if decided is None and stage in STAGE_ORDER[1:] and key in reviewed:
                # The stage ran and went to a human without this candidate: left out there.
                decided = StageStep(
                    stage=stage, review_verdict=_verdict(reviewed[key]), assessed=None
                )
                runs[run_id].steps.append(decided)
            if decided is not None:
                _decided(decided, fields, record.get("actor"), candidate_id)
    for run in runs.values():
        run.outcome = _run_outcome(run)
    story.runs = list(runs.values())
    return story


def _fields(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """An entry's own fields: top level in the JSONL trail, ``payload`` in the database."""
    payload = record.get("payload")
    return payload if isinstance(payload, Mapping) else record


def _verdict(fields: Mapping[str, Any]) -> str | None:
    verdict = fields.get("verdict")
    return str(verdict) if verdict is not None else None


def _decided(step: StageStep, fields: Mapping[str, Any], actor: Any, candidate_id: str) -> None:
    decision = str(fields.get("decision") or "")
    step.decision = decision
    step.decided_by = str(actor or fields.get("actor") or "") or None
    step.decision_reason = fields.get("reason")
    step.votes = [
        dict(v)
        for v in fields.get("votes") or []
        if isinstance(v, Mapping) and v.get("candidate_id") == candidate_id
    ]
    kept = fields.get("kept_candidate_ids")
    if step.assessed is None:
        done = {"confirm": "confirmed", "edit": "edited and confirmed", "reject": "rejected"}
        step.outcome = (
            f"left out of the {step.stage} output, which was then {done.get(decision, 'stopped')}"
        )
    elif decision == "edit" and isinstance(kept, list) and candidate_id not in kept:
        step.outcome = f"removed from the {step.stage} output by the recruiter's edit"
    elif decision in ("confirm", "edit"):
        step.outcome = f"kept in the confirmed {step.stage} output"
    elif decision == "reject":
        step.outcome = f"the {step.stage} output was rejected; the stage ran again"
    elif decision == "stop":
        step.outcome = "the run was stopped at this gate"
    for vote in step.votes:
        reason = f": {vote.get('reason')}" if vote.get("reason") else ""
        step.outcome += f"; the recruiter voted {vote.get('vote')}{reason}"


def _run_outcome(run: RunStory) -> str:
    decided = [s for s in run.steps if s.decision]
    if not decided:
        return "awaiting a decision" if run.steps else "not considered"
    last = decided[-1]
    if last.assessed is None:
        return f"not advanced: left out at {last.stage}"
    if last.decision == "edit" and last.outcome.startswith("removed"):
        return f"not advanced: removed by the recruiter at {last.stage}"
    if last.decision in ("confirm", "edit"):
        return f"advanced: confirmed at {last.stage}"
    if last.decision == "stop":
        return f"stopped at {last.stage}"
    return f"{last.stage} rejected; awaiting its next attempt"
