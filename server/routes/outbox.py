"""The outbox over REST: what hirecrew will send, and the recruiter's hand on it.

Outreach is queued when the outreach stage is confirmed; rejection notices are drafts until
the recruiter confirms each (``POST /api/outbox/{id}/confirm``), edits or discards it. Nothing
is sent that a person did not confirm; sent and failed messages stay listed with their
attempts and last error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import DomainError
from server.auth import Principal, ProjectUser
from server.context import Ctx, DbSession
from server.db.models import OutboxMessage, User
from server.errors import Conflict, NotFound, Unprocessable
from server.outbox import CONFIRMED, DRAFT, NoInvite, draft_interview_change
from server.runs import visible_project
from server.schemas import ERRORS, ID_PATTERN, CandidateId, Problem, ProjectId, Strict, Text

router = APIRouter(tags=["outbox"], responses=ERRORS)

OutboxId = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem},
    409: {"model": Problem, "description": "not a draft any more"},
}


class OutboxRead(BaseModel):
    """One message and where it stands: draft, confirmed (queued), sending, sent, failed."""

    id: str
    project_id: str | None
    candidate_id: str | None
    kind: str
    to: str
    subject: str
    body: str
    attachments: list[str] = Field(description="the attached files' names")
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    confirmed_at: datetime | None
    sent_at: datetime | None

    @classmethod
    def of(cls, row: OutboxMessage) -> OutboxRead:
        return cls(
            id=row.id,
            project_id=row.project_id,
            candidate_id=row.candidate_id,
            kind=row.kind,
            to=row.to,
            subject=row.subject,
            body=row.body,
            attachments=[
                str(a.get("filename", "")) for a in row.attachments or [] if isinstance(a, dict)
            ],
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            confirmed_at=row.confirmed_at,
            sent_at=row.sent_at,
        )


class OutboxEdit(Strict):
    subject: Text | None = Field(default=None, min_length=1, max_length=1000)
    body: Text | None = Field(default=None, min_length=1, max_length=50_000)


def _own(session: Session, user: Principal, outbox_id: str) -> OutboxMessage:
    row = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is None or (row.owner_id != user.id and user.role != "admin"):
        raise NotFound(f"no outbox message with id '{outbox_id}'")
    return row


def _draft(session: Session, user: Principal, outbox_id: str) -> OutboxMessage:
    row = _own(session, user, outbox_id)
    if row.status != DRAFT:
        raise Conflict(f"message {outbox_id} is {row.status}, not a draft: it cannot change")
    return row


@router.get("/outbox", response_model=list[OutboxRead])
def list_outbox(
    user: ProjectUser,
    session: DbSession,
    status_: Annotated[
        str | None,
        Query(alias="status", pattern="^(draft|confirmed|sending|sent|failed)$"),
    ] = None,
    project_id: Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OutboxRead]:
    """The caller's messages, newest first (admins: everyone's)."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(OutboxMessage.owner_id == user.id)
    if status_ is not None:
        query = query.where(OutboxMessage.status == status_)
    if project_id is not None:
        query = query.where(OutboxMessage.project_id == project_id)
    return [OutboxRead.of(row) for row in session.scalars(query)]


@router.patch("/outbox/{outbox_id}", response_model=OutboxRead, responses=ANSWERS)
def edit_draft(
    outbox_id: OutboxId, body: OutboxEdit, user: ProjectUser, session: DbSession, ctx: Ctx
) -> OutboxRead:
    """Rewrite a draft's subject or body before confirming it."""
    row = _draft(session, user, outbox_id)
    if body.subject is not None:
        row.subject = body.subject
    if body.body is not None:
        row.body = body.body
    session.commit()
    read = OutboxRead.of(row)
    ctx.audit.append("outbox_edited", actor=user.id, project_id=row.project_id, outbox_id=row.id)
    return read


@router.post(
    "/outbox/{outbox_id}/confirm",
    response_model=OutboxRead,
    responses=ANSWERS,
)
def confirm_draft(
    outbox_id: OutboxId, user: ProjectUser, session: DbSession, ctx: Ctx
) -> OutboxRead:
    """Confirm a draft: it is queued and sent (when mail is configured). Confirming a message
    that is already queued or sent changes nothing."""
    row = _own(session, user, outbox_id)
    if row.status == DRAFT:
        row.status = CONFIRMED
        row.confirmed_by = user.id
        row.confirmed_at = datetime.now(row.created_at.tzinfo)
        session.commit()
        ctx.audit.append(
            "outbox_confirmed", actor=user.id, project_id=row.project_id, outbox_id=row.id
        )
    return OutboxRead.of(row)


@router.delete(
    "/outbox/{outbox_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ANSWERS,
)
def discard_draft(outbox_id: OutboxId, user: ProjectUser, session: DbSession, ctx: Ctx) -> Response:
    """Discard a draft (a queued or sent message cannot be unsent)."""
    row = _draft(session, user, outbox_id)
    project_id = row.project_id
    session.delete(row)
    session.commit()
    ctx.audit.append("outbox_discarded", actor=user.id, project_id=project_id, outbox_id=outbox_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class InterviewMove(Strict):
    start: AwareDatetime = Field(description="the new start (with its UTC offset)")
    reason: Text | None = Field(default=None, max_length=2000, description="a note for them")


class InterviewCancel(Strict):
    reason: Text | None = Field(default=None, max_length=2000, description="a note for them")


def _interview_draft(
    ctx: Ctx,
    user: Principal,
    project_id: str,
    candidate_id: str,
    start: datetime | None,
    reason: str | None,
) -> OutboxRead:
    with ctx.writes() as session:
        project = visible_project(session, user, project_id)
        owner = session.get(User, project.owner_id)
        if owner is None:
            raise NotFound(f"no project with id '{project_id}'")
        try:
            draft = draft_interview_change(
                session,
                project=project,
                owner=owner,
                candidate_id=candidate_id,
                new_start=start,
                reason=reason,
            )
        except NoInvite as exc:
            raise NotFound(str(exc)) from exc
        except DomainError as exc:
            raise Unprocessable(str(exc)) from exc
        session.commit()
        read = OutboxRead.of(draft)
    ctx.audit.append(
        "interview_change_drafted",
        actor=user.id,
        project_id=project_id,
        candidate_id=candidate_id,
        outbox_id=read.id,
        change=read.kind,
    )
    return read


@router.post(
    "/projects/{project_id}/interviews/{candidate_id}/reschedule",
    response_model=OutboxRead,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
)
def reschedule_interview(
    project_id: ProjectId,
    candidate_id: CandidateId,
    body: InterviewMove,
    user: ProjectUser,
    ctx: Ctx,
) -> OutboxRead:
    """Draft the move of a candidate's interview: the updated invite (same UID, next
    SEQUENCE) waits in the outbox for the recruiter's confirmation."""
    return _interview_draft(ctx, user, project_id, candidate_id, body.start, body.reason)


@router.post(
    "/projects/{project_id}/interviews/{candidate_id}/cancel",
    response_model=OutboxRead,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
)
def cancel_interview(
    project_id: ProjectId,
    candidate_id: CandidateId,
    body: InterviewCancel,
    user: ProjectUser,
    ctx: Ctx,
) -> OutboxRead:
    """Draft the cancellation of a candidate's interview (METHOD:CANCEL, next SEQUENCE), to be
    confirmed in the outbox."""
    return _interview_draft(ctx, user, project_id, candidate_id, None, body.reason)
