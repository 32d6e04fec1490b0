"""The audit trail: every agent event, review and human decision, hash-chained.

Admins read everything; a recruiter reads the events of their own projects (a project that is
not theirs answers 404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from server.auth import AdminUser, ProjectUser
from server.context import Ctx, DbSession
from server.db.models import Project, Run
from server.runs import visible_project
from server.schemas import ERRORS, ID_MAX_LENGTH, ID_PATTERN, MAX_INT, Problem

router = APIRouter(tags=["audit"], responses=ERRORS)


class AuditPage(BaseModel):
    events: list[dict[str, Any]]
    next_after: int | None = Field(description="pass as ?after= for the next page; null: done")


class ChainCheck(BaseModel):
    intact: bool
    count: int
    head: str | None = None
    seq: int | None = Field(default=None, description="the first broken entry")
    reason: str | None = None


def _flows(session: Any, project_ids: list[str]) -> dict[str, set[str]]:
    """Each project's flow ids (a stopped project started again has several)."""
    flows: dict[str, set[str]] = {pid: set() for pid in project_ids}
    rows = session.execute(
        select(Run.project_id, Run.flow_id).where(
            Run.project_id.in_(project_ids), Run.flow_id.is_not(None)
        )
    )
    for project_id, flow_id in rows:
        flows[project_id].add(flow_id)
    return flows


@router.get("/audit", response_model=AuditPage, responses={404: {"model": Problem}})
def audit_events(
    user: ProjectUser,
    session: DbSession,
    ctx: Ctx,
    project_id: Annotated[
        str | None, Query(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_INT, description="only events after this seq")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditPage:
    """Audit events in order, a page at a time: of one project, or of every project the
    caller may see (an admin: the whole trail)."""
    if user.is_admin and project_id is None:
        events = ctx.audit.records(after_seq=after, limit=limit)
    else:
        if project_id is not None:
            project_ids = [visible_project(session, user, project_id).id]
        else:
            project_ids = list(
                session.scalars(select(Project.id).where(Project.owner_id == user.id))
            )
        found: dict[int, dict[str, Any]] = {}
        for pid, flow_ids in _flows(session, project_ids).items():
            # By project, and by flow: a flow's first events are written before the
            # project is known to the trail.
            batches = [ctx.audit.records(project_id=pid, after_seq=after, limit=limit)]
            batches += [
                ctx.audit.records(run_id=fid, after_seq=after, limit=limit) for fid in flow_ids
            ]
            for batch in batches:
                found.update((int(e["seq"]), e) for e in batch)
        events = [found[seq] for seq in sorted(found)][:limit]
    next_after = int(events[-1]["seq"]) if len(events) == limit else None
    return AuditPage(events=events, next_after=next_after)


@router.get("/audit/verify", response_model=ChainCheck, responses={403: {"model": Problem}})
def audit_verify(user: AdminUser, ctx: Ctx) -> ChainCheck:
    """Check the whole trail's hash chain (admins): intact, or the first broken entry."""
    return ChainCheck.model_validate(ctx.audit.verify())
