"""Hiring projects: create, list, and one project with its runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from server.auth import ProjectUser
from server.context import Ctx, DbSession
from server.db.models import Project, Run
from server.runs import next_step, visible_project
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
        runs=[RunSummary.model_validate(r, from_attributes=True) for r in runs],
        next=next_step(session, ctx.runtime, project),
    )
