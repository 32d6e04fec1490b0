"""The caller's candidates: import (a resume file, an export, or text as JSON), find, show,
delete. Each recruiter has their own pool; it is what their projects' sourcing searches."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.bias_audit import RaceEthnicity, Sex
from domain.entities import Candidate
from domain.ingest import (
    SUPPORTED_SUFFIXES,
    IngestLimits,
    IngestOutcome,
    ingest_file,
    ingest_text,
)
from domain.search import tokenize
from server.auth import Principal, ProjectUser
from server.bias import record_self_identification
from server.context import Ctx, DbSession
from server.db.models import CandidateRow
from server.erasure import candidate_key, erase_candidate, is_erased
from server.errors import NotFound, Unprocessable
from server.schemas import ERRORS, CandidateId, Problem, Strict, Text

log = logging.getLogger(__name__)

router = APIRouter(tags=["candidates"], responses=ERRORS)

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the uploaded files


class CandidateText(Strict):
    """A resume as text, with what is known about the person (optional)."""

    text: Text = Field(min_length=1, max_length=200_000, description="the resume's plain text")
    source: Text | None = Field(default=None, max_length=1000)
    name: Text | None = Field(default=None, max_length=300)
    email: Text | None = Field(default=None, max_length=320)
    location: Text | None = Field(default=None, max_length=300)
    headline: Text | None = Field(default=None, max_length=300)
    skills: list[Annotated[Text, Field(max_length=200)]] | None = Field(
        default=None, max_length=200
    )


class Refusal(BaseModel):
    source: str
    reason: str


class ImportResult(BaseModel):
    imported: list[str] = Field(description="ids added to the pool (new or changed)")
    unchanged: list[str] = Field(description="ids already in the pool with the same text")
    refused: list[Refusal]
    flagged: list[dict[str, Any]] = Field(description="hidden content found and kept out")


class CandidateRead(BaseModel):
    id: str
    name: str
    email: str | None
    location: str | None
    headline: str
    years_experience: int | None
    skills: list[str]
    source: str | None
    flags: list[str]
    resume_text: str | None = Field(default=None, description="in the single-candidate view")
    score: int | None = Field(default=None, description="query terms matched, when searching")


def _read(candidate: Candidate, *, full: bool = False, score: int | None = None) -> CandidateRead:
    data = candidate.model_dump(exclude={"resume_text", "id"})
    return CandidateRead(
        id=candidate.id,
        **data,
        resume_text=candidate.resume_text if full else None,
        score=score,
    )


SOURCE_MAX = 1000  # CandidateRow.source
NAME_MAX = 300  # CandidateRow.name
FILENAME_MAX = 255


def _column_text(value: str, limit: int) -> str:
    """``value`` as a text column keeps it: no NUL (PostgreSQL refuses it), valid UTF-8, and
    no longer than the column (an uploaded file's name or an export's field is anything)."""
    clean = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return clean[:limit]


def _store(session: Session, user: Principal, outcomes: list[IngestOutcome]) -> ImportResult:
    result = ImportResult(imported=[], unchanged=[], refused=[], flagged=[])
    for outcome in outcomes:
        candidate = outcome.candidate
        if candidate is None:
            result.refused.append(
                Refusal(source=outcome.source, reason=outcome.refused or "refused")
            )
            continue
        if outcome.flags:
            result.flagged.append(
                {"source": outcome.source, "id": candidate.id, "flags": outcome.flags}
            )
        if is_erased(session, user.id, candidate.id):
            result.refused.append(
                Refusal(
                    source=outcome.source,
                    reason="this candidate was erased at their request; their resume may "
                    "not be imported again",
                )
            )
            continue
        row = session.scalars(
            select(CandidateRow).where(
                CandidateRow.owner_id == user.id, CandidateRow.candidate_id == candidate.id
            )
        ).first()
        data = candidate.model_dump(mode="json")
        if row is not None and row.data == data:
            result.unchanged.append(candidate.id)
            continue
        if row is None:
            row = CandidateRow(owner_id=user.id, candidate_id=candidate.id)
            session.add(row)
        row.source = _column_text(candidate.source or outcome.source, SOURCE_MAX)
        row.name = _column_text(candidate.name, NAME_MAX)
        row.data = data
        result.imported.append(candidate.id)
    session.commit()
    return result


def _filename(given: str | None) -> str:
    """An upload's file name as a source label: its last path part, printable, clipped (the
    suffix, which picks the parser, is kept)."""
    name = PurePath((given or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip()
    name = name.encode("utf-8", "replace").decode("utf-8")
    if len(name) > FILENAME_MAX:
        suffix = PurePath(name).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        name = name[: FILENAME_MAX - len(suffix)] + suffix
    return name or "upload"


async def _received(request: Request) -> list[tuple[str, bytes]] | CandidateText:
    """What the request carries: multipart files (field ``file``, repeatable) or JSON text."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        async with request.form(max_files=20, max_fields=20) as form:
            uploads = [item for item in form.getlist("file") if not isinstance(item, str)]
            if not uploads:
                raise Unprocessable("send the resume as a multipart field named 'file'")
            return [(_filename(upload.filename), await upload.read()) for upload in uploads]
    if not kind.startswith("application/json"):
        raise Unprocessable(
            "send JSON ({'text': ...}) or a multipart upload (field 'file'); "
            f"Content-Type '{kind or 'none'}' is neither"
        )
    try:
        return CandidateText.model_validate_json(await request.body())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise Unprocessable(f"invalid request: {problems}") from exc


def _ingest(
    received: list[tuple[str, bytes]] | CandidateText, limits: IngestLimits
) -> list[IngestOutcome]:
    if isinstance(received, CandidateText):
        fields = received.model_dump(exclude={"text", "source"}, exclude_none=True)
        return [ingest_text(received.text, source=received.source or "api", fields=fields)]
    return [outcome for name, data in received for outcome in _ingest_bytes(name, data, limits)]


def _ingest_bytes(name: str, data: bytes, limits: IngestLimits) -> list[IngestOutcome]:
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        what = f"'{suffix}'" if suffix else "(no extension)"
        return [
            IngestOutcome(
                source=name,
                refused=f"unsupported file type {what}; supported: {', '.join(SUPPORTED_SUFFIXES)}",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="hirecrew-upload-") as scratch:
        path = Path(scratch) / f"upload{suffix}"
        path.write_bytes(data)
        outcomes = ingest_file(path, limits=limits)
    for outcome in outcomes:
        outcome.source = name
        if outcome.candidate is not None:
            outcome.candidate.source = name
    return outcomes


@router.post(
    "/candidates",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": Problem, "description": "nothing could be imported"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CandidateText.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def import_candidates(
    request: Request, user: ProjectUser, session: DbSession, ctx: Ctx
) -> ImportResult:
    """Import a resume (PDF, DOCX, TXT/MD) or an export (CSV, JSON) as a multipart upload
    (field ``file``, up to ``server.max_upload_bytes``, 10 MiB by default), or a resume's text
    as JSON. Refused files say why; hidden content is kept out of the searchable text and
    flagged. Ids are content hashes: importing the same resume again changes nothing."""
    received = await _received(request)
    limits = IngestLimits(max_bytes=ctx.settings.server.max_upload_bytes)
    # Parsing PDFs is CPU work: off the event loop.
    outcomes = await run_in_threadpool(_ingest, received, limits)
    result = await run_in_threadpool(_store, session, user, outcomes)
    # Ids (hashes of the resumes) and counts: names and file names stay out of the trail.
    await run_in_threadpool(
        ctx.audit.append,
        "candidates_imported",
        actor=user.id,
        imported=result.imported,
        unchanged=len(result.unchanged),
        refused=len(result.refused),
        flagged=len(result.flagged),
    )
    if not result.imported and not result.unchanged:
        raise Unprocessable(
            "nothing imported: " + "; ".join(f"{r.source}: {r.reason}" for r in result.refused)
        )
    return result


def _owned(session: Session, user: Principal, candidate_id: str) -> CandidateRow:
    row = session.scalars(
        select(CandidateRow).where(
            CandidateRow.owner_id == user.id, CandidateRow.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no candidate with id '{candidate_id}'")
    return row


@router.get("/candidates", response_model=list[CandidateRead])
def list_candidates(
    user: ProjectUser,
    session: DbSession,
    q: Annotated[Text | None, Query(max_length=500, description="words to look for")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CandidateRead]:
    """The caller's candidates; with ``q``, those matching most of its words first (name,
    headline, skills and resume text). Candidates quarantined by retention are left out."""
    rows = session.scalars(
        select(CandidateRow)
        .where(CandidateRow.owner_id == user.id, CandidateRow.quarantined_at.is_(None))
        .order_by(CandidateRow.created_at.desc())
    ).all()
    candidates = [Candidate.model_validate(row.data) for row in rows]
    terms = set(tokenize(q or ""))
    if not terms:
        return [_read(c) for c in candidates[:limit]]
    scored = []
    for candidate in candidates:
        text = " ".join(
            [candidate.name, candidate.headline, " ".join(candidate.skills), candidate.resume_text]
        )
        score = len(terms & set(tokenize(text)))
        if score:
            scored.append((score, candidate))
    scored.sort(key=lambda pair: -pair[0])
    return [_read(c, score=s) for s, c in scored[:limit]]


@router.get(
    "/candidates/{candidate_id}", response_model=CandidateRead, responses={404: {"model": Problem}}
)
def get_candidate(
    candidate_id: CandidateId, user: ProjectUser, session: DbSession
) -> CandidateRead:
    """One candidate, with the resume text."""
    row = _owned(session, user, candidate_id)
    return _read(Candidate.model_validate(row.data), full=True)


@router.delete(
    "/candidates/{candidate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"model": Problem}},
)
def delete_candidate(candidate_id: CandidateId, user: ProjectUser, ctx: Ctx) -> Response:
    """Erase a candidate from everywhere: the caller's pool and applications, their entries
    in stage outputs, decisions and saved runs, the audit trail (redacted; the chain still
    verifies), the caller's memories that mention them, pool snapshots and search indexes.
    A tombstone keeps the same resume from being imported again."""
    with ctx.writes() as session:
        report = erase_candidate(
            ctx, session, owner_id=user.id, candidate_id=candidate_id, actor=user.id
        )
    log.info("candidate erased: %s", report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class SelfIdentificationIn(Strict):
    """A candidate's voluntary self-identification (EEO-1 categories); leave a field out (or
    null) when they declined. Used only for bias audits: it never reaches a stage run."""

    sex: Sex | None = None
    race_ethnicity: RaceEthnicity | None = None


@router.put(
    "/candidates/{candidate_id}/self-identification",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"model": Problem}},
)
def put_self_identification(
    candidate_id: CandidateId, body: SelfIdentificationIn, user: ProjectUser, ctx: Ctx
) -> Response:
    """Record what the candidate disclosed, for the bias audits of their projects
    (GET /api/projects/{id}/bias-audit). Kept apart from everything agents read."""
    with ctx.writes() as session:
        _owned(session, user, candidate_id)
        record_self_identification(
            session,
            owner_id=user.id,
            candidate_id=candidate_id,
            sex=body.sex,
            race_ethnicity=body.race_ethnicity,
        )
        session.commit()
    # The trail says that it was recorded, never what: demographics stay in their table.
    ctx.audit.append(
        "self_identification_recorded", actor=user.id, candidate_key=candidate_key(candidate_id)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
