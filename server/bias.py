"""Bias audits of a project's decisions (NYC Local Law 144, the four-fifths rule) from the
database, with the candidates' voluntary self-identification.

Self-identification lives in its own table (``SelfIdentification``), which only this module
and erasure read: nothing that builds a stage run's inputs touches it, so demographics never
reach a prompt. The audit's population is every candidate the project's sourcing put in its
pipeline; a candidate is *selected* when the screening stage (the automated tool under audit)
moved them to the shortlist or beyond.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.bias_audit import BiasAuditResult, Decision, RaceEthnicity, Sex, audit_decisions
from domain.entities import PipelineStage
from server.db.models import Application, SelfIdentification

# What "selected by the tool" means for a project's application.
# (Hired alone is a human's move; a hire the tool shortlisted has "shortlisted" in its history.)
SELECTED = frozenset(
    {PipelineStage.SHORTLISTED, PipelineStage.CONTACTED, PipelineStage.INTERVIEW_SCHEDULED}
)


def record_self_identification(
    session: Session,
    *,
    owner_id: str,
    candidate_id: str,
    sex: Sex | None,
    race_ethnicity: RaceEthnicity | None,
) -> None:
    """Keep (or replace) a candidate's self-identification; ``None`` means declined."""
    row = session.scalars(
        select(SelfIdentification).where(
            SelfIdentification.owner_id == owner_id,
            SelfIdentification.candidate_id == candidate_id,
        )
    ).first()
    if row is None:
        row = SelfIdentification(owner_id=owner_id, candidate_id=candidate_id)
        session.add(row)
    row.sex = sex.value if sex else None
    row.race_ethnicity = race_ethnicity.value if race_ethnicity else None


def project_decisions(session: Session, *, owner_id: str, project_id: str) -> list[Decision]:
    """One decision per candidate in the project's pipeline, with their self-identification
    (unknown where they gave none)."""
    applications = session.scalars(
        select(Application).where(Application.project_id == project_id)
    ).all()
    ids = [a.candidate_id for a in applications]
    known = {
        row.candidate_id: row
        for row in session.scalars(
            select(SelfIdentification).where(
                SelfIdentification.owner_id == owner_id,
                SelfIdentification.candidate_id.in_(ids),
            )
        )
    }
    decisions = []
    for application in applications:
        identity = known.get(application.candidate_id)
        decisions.append(
            Decision(
                candidate_id=application.candidate_id,
                sex=Sex(identity.sex) if identity and identity.sex else None,
                race_ethnicity=(
                    RaceEthnicity(identity.race_ethnicity)
                    if identity and identity.race_ethnicity
                    else None
                ),
                selected=_reached_shortlist(application),
            )
        )
    return decisions


def _reached_shortlist(application: Application) -> bool:
    """Selected: the screening stage shortlisted them (a later manual move, to rejected or
    hired, does not undo what the tool decided)."""
    stages = {entry.get("stage") for entry in application.history if isinstance(entry, dict)}
    stages.add(application.stage)
    return bool(stages & {s.value for s in SELECTED})


def audit_project(session: Session, *, owner_id: str, project_id: str) -> BiasAuditResult:
    """The selection-rate bias audit of one project (raises ``DomainError`` when its pipeline
    is empty)."""
    return audit_decisions(
        project_decisions(session, owner_id=owner_id, project_id=project_id), mode="selection"
    )
