"""Applications: a project's candidates and where each stands in its pipeline.

A confirmed sourcing, screening or outreach stage moves its candidates along (sourced,
shortlisted, contacted); a recruiter moves one to any stage by hand (rejected, hired...). Every
move is kept in the application's history; a move by hand is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.entities import PipelineStage
from server.auth import Principal, ProjectUser
from server.context import Ctx, DbSession
from server.db.models import Application, User
from server.errors import NotFound, Unprocessable
from server.outbox import Drafted, draft_rejections
from server.routes.outbox import OutboxRead
from server.runs import pipeline_entry, visible_project
from server.schemas import (
    ERRORS,
    ID_PATTERN,
    MAX_INT,
    ApplicationId,
    ApplicationRead,
    ApplicationUpdate,
    Problem,
    ProjectId,
    Strict,
    Text,
)

router = APIRouter(tags=["applications"], responses=ERRORS)


def _visible_application(
    session: Session, user: Principal, application_id: str, *, for_update: bool = False
) -> Application:
    """The application, if the caller may see its project (admins see all); 404 otherwise."""
    query = select(Application).where(Application.id == application_id)
    if for_update:
        query = query.with_for_update()
    application = session.scalars(query).first()
    if application is None:
        raise NotFound(f"no application with id '{application_id}'")
    try:
        visible_project(session, user, application.project_id)
    except NotFound as exc:
        raise NotFound(f"no application with id '{application_id}'") from exc
    return application


@router.get(
    "/projects/{project_id}/applications",
    response_model=list[ApplicationRead],
    responses={404: {"model": Problem}},
)
def list_applications(
    project_id: ProjectId,
    user: ProjectUser,
    session: DbSession,
    stage: Annotated[PipelineStage | None, Query(description="only those at this stage")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> list[ApplicationRead]:
    """The project's candidates and where each stands, most recently moved first."""
    project = visible_project(session, user, project_id)
    query = (
        select(Application)
        .where(Application.project_id == project.id)
        .order_by(Application.updated_at.desc(), Application.id)
        .limit(limit)
        .offset(offset)
    )
    if stage is not None:
        query = query.where(Application.stage == stage.value)
    return [ApplicationRead.model_validate(a, from_attributes=True) for a in session.scalars(query)]


@router.patch(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    responses={404: {"model": Problem}},
)
def move_application(
    application_id: ApplicationId,
    body: ApplicationUpdate,
    user: ProjectUser,
    session: DbSession,
    ctx: Ctx,
) -> ApplicationRead:
    """Move a candidate to any pipeline stage (the move and its reason join the history, and
    the audit trail). Moving one to the stage they are at changes nothing."""
    application = _visible_application(session, user, application_id, for_update=True)
    before = application.stage
    if before == body.stage:
        return ApplicationRead.model_validate(application, from_attributes=True)
    application.stage = body.stage.value
    application.history = [
        *(application.history or []),
        pipeline_entry(body.stage.value, user.id, body.reason),
    ]
    session.commit()
    read = ApplicationRead.model_validate(application, from_attributes=True)
    # After the commit: the audit log writes in its own transaction (on SQLite, the write lock).
    ctx.audit.append(
        "application_moved",
        actor=user.id,
        project_id=read.project_id,
        application_id=read.id,
        candidate_id=read.candidate_id,
        stage_before=before,
        stage_after=read.stage.value,
        reason=body.reason,
    )
    return read


class BulkMove(Strict):
    """Move several of a project's applications at once."""

    application_ids: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]] = Field(
        min_length=1, max_length=500
    )
    stage: PipelineStage
    reason: Text | None = Field(default=None, max_length=2000)
    notify: bool = Field(
        default=False,
        description="with stage=rejected: draft a rejection notice for each candidate, to be "
        "confirmed one by one in the outbox (nothing is sent before that)",
    )


class BulkMoved(BaseModel):
    moved: list[ApplicationRead]
    unchanged: list[str] = Field(description="already at that stage")
    drafts: list[OutboxRead] = Field(description="rejection notices waiting for confirmation")
    skipped: list[dict[str, str]] = Field(description="notices not drafted, and why")


@router.post(
    "/projects/{project_id}/applications/move",
    response_model=BulkMoved,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
)
def move_applications(
    project_id: ProjectId, body: BulkMove, user: ProjectUser, ctx: Ctx
) -> BulkMoved:
    """Move many candidates at once (each move joins its history, with the reason); with
    ``notify`` on a rejection, draft the notices for the recruiter to confirm."""
    if body.notify and body.stage is not PipelineStage.REJECTED:
        raise Unprocessable("notify drafts rejection notices: it needs stage=rejected")
    with ctx.writes() as session:
        project = visible_project(session, user, project_id)
        wanted = list(dict.fromkeys(body.application_ids))
        rows = {
            a.id: a
            for a in session.scalars(
                select(Application)
                .where(Application.project_id == project.id, Application.id.in_(wanted))
                .with_for_update()
            )
        }
        missing = [i for i in wanted if i not in rows]
        if missing:
            raise NotFound(f"no application with id '{missing[0]}' in this project")
        moved, unchanged = [], []
        for application_id in wanted:
            application = rows[application_id]
            if application.stage == body.stage.value:
                unchanged.append(application_id)
                continue
            application.stage = body.stage.value
            application.history = [
                *(application.history or []),
                pipeline_entry(body.stage.value, user.id, body.reason),
            ]
            moved.append(application)
        drafted = Drafted()
        if body.notify:
            owner = session.get(User, project.owner_id)
            if owner is not None:
                drafted = draft_rejections(
                    session, project=project, owner=owner, applications=list(rows.values())
                )
        session.commit()
        result = BulkMoved(
            moved=[ApplicationRead.model_validate(a, from_attributes=True) for a in moved],
            unchanged=unchanged,
            drafts=[OutboxRead.of(d) for d in drafted.drafts],
            skipped=drafted.skipped,
        )
    ctx.audit.append(
        "applications_moved",
        actor=user.id,
        project_id=project_id,
        application_ids=[a.id for a in result.moved],
        candidate_ids=[a.candidate_id for a in result.moved],
        stage_after=body.stage.value,
        reason=body.reason,
        notices_drafted=len(result.drafts),
    )
    return result
