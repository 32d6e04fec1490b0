"""Runs: start a project's flow, follow a run (JSON or Server-Sent Events), decide on it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from server.auth import ProjectUser
from server.context import AppContext, Ctx, DbSession
from server.db.models import Run
from server.errors import NotFound
from server.runs import decide_run, run_view, start_stage, visible_project, visible_run
from server.schemas import (
    ERRORS,
    MAX_INT,
    SETTLED,
    DecisionIn,
    Problem,
    ProjectId,
    RunCreate,
    RunId,
    RunQueued,
    RunRead,
    RunStatus,
)

router = APIRouter(tags=["runs"], responses=ERRORS)

KEEPALIVE_S = 15.0
PAGE = 500
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "not possible in the current state"}
}


@router.post(
    "/projects/{project_id}/runs",
    response_model=RunQueued,
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {"model": Problem}, **CONFLICT},
)
def create_run(
    project_id: ProjectId, body: RunCreate, user: ProjectUser, session: DbSession, ctx: Ctx
) -> RunQueued:
    """Queue a stage run; a worker executes it. A project's flow starts at intake; each later
    stage runs by itself once the one before is confirmed (asking for it answers 409 saying
    what is next)."""
    project = visible_project(session, user, project_id)
    run, job = start_stage(session, ctx.runtime, project=project, stage=body.stage)
    session.commit()
    ctx.audit.append(
        "run_requested",
        actor=user.id,
        project_id=project.id,
        run_id=run.flow_id,
        stage=body.stage,
        api_run_id=run.id,
    )
    ctx.pool.submit(job)
    return RunQueued(run_id=run.id, status=RunStatus(run.status), stage=body.stage)


@router.get("/runs/{run_id}", response_model=RunRead, responses={404: {"model": Problem}})
def get_run(run_id: RunId, user: ProjectUser, session: DbSession, ctx: Ctx) -> RunRead:
    """Where a run stands: status, attempt, the output and its review, the memories used,
    the decision, and the decisions it accepts now."""
    return run_view(session, ctx.runtime, visible_run(session, user, run_id))


@router.post(
    "/runs/{run_id}/decision",
    response_model=RunRead,
    responses={
        202: {"model": RunRead, "description": "stop requested on a run still working"},
        404: {"model": Problem},
        422: {"model": Problem, "description": "the decision does not fit the output"},
        **CONFLICT,
    },
)
def post_decision(
    run_id: RunId, body: DecisionIn, user: ProjectUser, session: DbSession, ctx: Ctx
) -> JSONResponse:
    """Confirm, edit (with the artifact), reject (with a comment: the stage runs again) or stop
    a run awaiting review; stop also works on a queued or running run (202). The same decision
    sent again answers as the first time; a different one is refused (409)."""
    run = visible_run(session, user, run_id)
    decided = decide_run(session, ctx.runtime, run=run, user=user, body=body)
    # A repeated decision changed nothing and left its (write-locked, on SQLite) transaction
    # open: end it before the audit log, which writes on a connection of its own.
    session.commit()
    # What the recruiter asked, when they asked it (the flow files the decision it applies
    # as ``human_decision`` once a worker takes it).
    ctx.audit.append(
        "decision_received",
        actor=user.id,
        project_id=run.project_id,
        run_id=run.flow_id,
        stage=run.stage,
        api_run_id=run.id,
        action=body.action,
        comment=body.comment,
        status=decided.status_code,
    )
    if decided.job is not None:
        ctx.pool.submit(decided.job)
    view = run_view(session, ctx.runtime, decided.run)
    return JSONResponse(view.model_dump(mode="json"), status_code=decided.status_code)


# --- Server-Sent Events --------------------------------------------------------------------


def _field(record: dict[str, Any], name: str) -> Any:
    """A record's field, whether the store keeps it at the top or inside its payload."""
    if name in record:
        return record[name]
    payload = record.get("payload")
    return payload.get(name) if isinstance(payload, dict) else None


@dataclass
class _Cursor:
    """Where one event stream is in the flow's trail: this attempt's window (from its
    ``stage_started`` to the next attempt's), how far it looked for them, how far it read."""

    read: int = 0
    scanned: int = 0
    starts_seen: int = 0
    start: int | None = None
    end: int | None = None


@dataclass
class _Poll:
    status: RunStatus
    records: list[dict[str, Any]]
    more: bool


def _window(ctx: AppContext, flow_id: str, stage: str, attempt: int, cursor: _Cursor) -> None:
    """Look (on from where it last looked) for this attempt's start and the next one's."""
    while True:
        page = ctx.audit.records(run_id=flow_id, after_seq=cursor.scanned, limit=PAGE)
        for record in page:
            seq = int(record["seq"])
            cursor.scanned = seq
            if _field(record, "kind") != "stage_started" or _field(record, "stage") != stage:
                continue
            cursor.starts_seen += 1
            number = _field(record, "attempt") or cursor.starts_seen
            if cursor.start is None and number == attempt:
                cursor.start = seq
            elif cursor.start is not None and number > attempt:
                cursor.end = seq
                return
        if len(page) < PAGE:
            return


def _poll(ctx: AppContext, run_id: str, cursor: _Cursor) -> _Poll:
    with ctx.sessions() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise NotFound(f"no run with id '{run_id}'")
        state = RunStatus(run.status)
        flow_id, stage, attempt = run.flow_id, run.stage, run.attempt
    if flow_id is None:
        return _Poll(state, [], more=False)
    if cursor.start is None or cursor.end is None:
        _window(ctx, flow_id, stage, attempt, cursor)
    if cursor.start is None:
        return _Poll(state, [], more=False)
    after = max(cursor.read, cursor.start - 1)
    page = ctx.audit.records(run_id=flow_id, after_seq=after, limit=PAGE)
    records = []
    for record in page:
        seq = int(record["seq"])
        cursor.read = seq
        if cursor.end is not None and seq >= cursor.end:
            break
        if _field(record, "stage") == stage:
            records.append(record)
    return _Poll(state, records, more=len(page) == PAGE)


def _sse(event: str, data: Any, event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in json.dumps(data, default=str).splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


async def _stream(
    ctx: AppContext, request: Request, run_id: str, after: int | None
) -> AsyncIterator[str]:
    cursor = _Cursor(read=after or 0)
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    while True:
        poll = await run_in_threadpool(_poll, ctx, run_id, cursor)
        for record in poll.records:
            yield _sse(str(_field(record, "kind") or "event"), record, int(record["seq"]))
            quiet_since = time.monotonic()
        if poll.more:
            continue
        if poll.status in SETTLED:
            # One more read after the settle, for the records written as it settled.
            final = await run_in_threadpool(_poll, ctx, run_id, cursor)
            for record in final.records:
                yield _sse(str(_field(record, "kind") or "event"), record, int(record["seq"]))
            yield _sse("end", {"run_id": run_id, "status": poll.status.value})
            return
        if await request.is_disconnected():
            return
        if time.monotonic() - quiet_since > KEEPALIVE_S:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
        await asyncio.sleep(ctx.settings.server.events_poll_s)


@router.get(
    "/runs/{run_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "the run's progress as Server-Sent Events; ends with `event: end` "
            "once the run settles",
        },
        404: {"model": Problem},
    },
)
def run_events(
    run_id: RunId,
    request: Request,
    user: ProjectUser,
    ctx: Ctx,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_INT)] = None,
) -> StreamingResponse:
    """The run's progress as Server-Sent Events read from the audit trail (agent steps, tool
    calls, review rounds, the gate); each event's id is its audit sequence number, so a client
    that reconnects with ``Last-Event-ID`` resumes where it was. The stream ends with an
    ``end`` event when the run awaits review or is confirmed, rejected, stopped or failed."""
    with ctx.sessions() as session:  # not held open for the length of the stream
        visible_run(session, user, run_id)
    return StreamingResponse(
        _stream(ctx, request, run_id, last_event_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
