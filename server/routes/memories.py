"""The caller's memories: what the assistant learned from their decisions, to see, correct and
erase. Every call is scoped to the caller (their user id is the recruiter id): another
recruiter's memory id answers 404, exactly like one that never existed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from memory.base import MemoryRecord
from memory.service import MemoryService
from server.auth import ProjectUser
from server.context import Ctx
from server.errors import ApiError, Unprocessable
from server.schemas import ERRORS, MemoryId, Problem, Strict, Text

router = APIRouter(
    tags=["memories"],
    responses={
        **ERRORS,
        503: {"model": Problem, "description": "memory is off, or its store cannot be reached"},
    },
)


class MemoryDisabled(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class MemoryRead(BaseModel):
    id: str
    text: str
    kind: str = Field(description="preference (one per key; a newer one replaces it) or note")
    key: str | None
    metadata: dict[str, str | int | float | bool]
    created_at: str | None
    updated_at: str | None
    score: float | None = Field(description="similarity to q, when searching")

    @classmethod
    def of(cls, record: MemoryRecord) -> MemoryRead:
        return cls(
            id=record.id,
            text=record.text,
            kind=record.kind,
            key=record.key,
            metadata=record.metadata,
            created_at=record.created_at.isoformat() if record.created_at else None,
            updated_at=record.updated_at.isoformat() if record.updated_at else None,
            score=record.score,
        )


class MemoryWrite(Strict):
    text: Text = Field(min_length=1, max_length=2000)


def _service(ctx: Ctx) -> MemoryService:
    if ctx.runtime.memory is None:
        raise MemoryDisabled("memory is switched off on this server (HIRECREW_MEMORY__BACKEND)")
    return ctx.runtime.memory


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}


@router.get("/memories", response_model=list[MemoryRead])
def list_memories(
    user: ProjectUser,
    ctx: Ctx,
    q: Annotated[Text | None, Query(max_length=1000, description="search by meaning")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[MemoryRead]:
    """The caller's memories, newest first; with ``q``, the most related first."""
    service = _service(ctx)
    if q and q.strip():
        records = service.search(user.id, q, limit=limit)
    else:
        records = service.memories(user.id)[:limit]
    return [MemoryRead.of(r) for r in records]


@router.post("/memories", response_model=list[MemoryRead], status_code=status.HTTP_201_CREATED)
def add_memory(body: MemoryWrite, user: ProjectUser, ctx: Ctx) -> list[MemoryRead]:
    """Tell the assistant something ("Treat Terraform as a must-have."): a preference replaces
    the older one with the same key; anything else is kept as a note."""
    try:
        written = _service(ctx).remember(user.id, body.text, source="api")
    except ValueError as exc:
        raise Unprocessable(str(exc)) from exc
    # Ids only: a memory the recruiter erases later leaves no text in the trail.
    ctx.audit.append("memory_added", actor=user.id, memory_ids=[r.id for r in written])
    return [MemoryRead.of(r) for r in written]


@router.patch("/memories/{memory_id}", response_model=MemoryRead, responses=NOT_FOUND)
def edit_memory(memory_id: MemoryId, body: MemoryWrite, user: ProjectUser, ctx: Ctx) -> MemoryRead:
    """Rewrite a memory; what it says now is what the assistant will do."""
    try:
        edited = MemoryRead.of(_service(ctx).edit(user.id, memory_id, body.text))
    except ValueError as exc:
        raise Unprocessable(str(exc)) from exc
    ctx.audit.append("memory_edited", actor=user.id, memory_ids=[memory_id])
    return edited


@router.delete("/memories/{memory_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def forget_memory(memory_id: MemoryId, user: ProjectUser, ctx: Ctx) -> Response:
    """Erase a memory for good (its text and its history)."""
    _service(ctx).forget(user.id, memory_id)
    ctx.audit.append("memory_deleted", actor=user.id, memory_ids=[memory_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
