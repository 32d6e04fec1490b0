"""Hiring projects: create, list, and one project with its runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from domain.errors import DomainError
from server.auth import ProjectUser
from server.bias import audit_project
from server.context import Ctx, DbSession
from server.db.models import Project, Run
from server.errors import Unprocessable
from server.runs import next_step, stage_names, visible_project
from server.schemas import (
    ERRORS,
    MAX_INT,
    Problem,
    ProjectCreate,
    ProjectDetail,
    ProjectId,
    ProjectRead,
    ProjectStatus,
    RunSummary,
)


class BiasAuditRead(BaseModel):
    """A bias audit's tables: each row ``{category, n, selected, rate, impact_ratio,
    excludable, ...diagnostics}``."""

    project_id: str
    mode: str
    sex: list[dict[str, Any]]
    race_ethnicity: list[dict[str, Any]]
    intersectional: list[dict[str, Any]]
    unknown: int


router = APIRouter(tags=["projects"], responses=ERRORS)


@router.post("/projects", response_model=ProjectRead, status_code=status.HTTP_201_CREATED)
def create_project(
    body: ProjectCreate, user: ProjectUser, session: DbSession, ctx: Ctx
) -> ProjectRead:
    """Open a hiring project owned by the caller; start it with POST .../runs {stage: intake}."""
    project = Project(
        owner_id=user.id,
        title=body.title.strip(),
        company=(body.company or "").strip(),
        intake_notes=body.intake_notes,
        spec={},
        status=ProjectStatus.OPEN,
    )
    session.add(project)
    session.commit()
    read = ProjectRead.model_validate(project, from_attributes=True)
    ctx.audit.append("project_created", actor=user.id, project_id=read.id, title=read.title)
    return read


@router.get("/projects", response_model=list[ProjectRead])
def list_projects(
    user: ProjectUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> list[ProjectRead]:
    """The caller's projects, newest first (an admin sees everyone's)."""
    query = select(Project).order_by(Project.created_at.desc()).limit(limit).offset(offset)
    if not user.is_admin:
        query = query.where(Project.owner_id == user.id)
    return [ProjectRead.model_validate(p, from_attributes=True) for p in session.scalars(query)]


@router.get(
    "/projects/{project_id}", response_model=ProjectDetail, responses={404: {"model": Problem}}
)
def get_project(
    project_id: ProjectId, user: ProjectUser, session: DbSession, ctx: Ctx
) -> ProjectDetail:
    """One project with its runs, oldest first, and what it waits for."""
    project = visible_project(session, user, project_id)
    runs = session.scalars(
        select(Run).where(Run.project_id == project.id).order_by(Run.created_at)
    ).all()
    return ProjectDetail(
        **ProjectRead.model_validate(project, from_attributes=True).model_dump(),
        stages=stage_names(ctx.runtime, project),
        runs=[RunSummary.model_validate(r, from_attributes=True) for r in runs],
        next=next_step(session, ctx.runtime, project),
    )


@router.get(
    "/projects/{project_id}/bias-audit",
    response_model=BiasAuditRead,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
)
def get_bias_audit(project_id: ProjectId, user: ProjectUser, session: DbSession) -> BiasAuditRead:
    """The project's bias audit (NYC Local Law 144, 6 RCNY §5-301): selection rates and impact
    ratios by sex, race/ethnicity and their intersections, from the candidates' voluntary
    self-identification; selected = shortlisted by the screening stage. Categories under 2%
    are flagged excludable, never dropped; unknowns are counted."""
    project = visible_project(session, user, project_id)
    try:
        result = audit_project(session, owner_id=project.owner_id, project_id=project.id)
    except DomainError as exc:
        raise Unprocessable(f"no bias audit for this project yet: {exc}") from exc
    return BiasAuditRead(project_id=project.id, mode="selection", **result.tables())
