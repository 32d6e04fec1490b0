"""A hiring project as the flow sees it: who, what, and where its candidates come from."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from domain.entities import Candidate, Interviewer, Recruiter
from domain.sample_data import read_pool_jsonl


class ProjectSpec(BaseModel):
    """Everything a run needs to rebuild its tools in any process."""

    title: str = Field(min_length=1)
    company: str = Field(min_length=1)
    recruiter: Recruiter
    # Notes are a recruiter's brief, not a document store: a cap keeps prompts and logs sane.
    intake_notes: str = Field(min_length=1, max_length=50_000)
    pool_path: str = Field(description="JSONL file of the candidate pool")
    interviewers: list[Interviewer] = Field(default_factory=list)
    schedule_start: datetime
    preferences: list[str] = Field(default_factory=list)
    outreach_count: int = Field(default=3, ge=1, le=20)
    project_id: str | None = Field(
        default=None, description="the server's project id, so its observer can file runs"
    )


def load_pool(path: str) -> list[Candidate]:
    """The candidate pool of a project, cached while the file is unchanged."""
    file = Path(path)
    return list(_cached_pool(str(file.resolve()), file.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _cached_pool(path: str, mtime_ns: int) -> tuple[Candidate, ...]:
    return tuple(read_pool_jsonl(Path(path)))


def index_dir(cache: Path, pool_path: str) -> Path:
    """Where a pool's search index is cached: one directory per pool content.

    Keyed by content, not path, so the same pool in two places (a copied data directory, the
    demo seeded twice) is embedded once; a changed pool gets an index of its own.
    """
    return cache / "index" / _file_digest(str(Path(pool_path).resolve()), _mtime(pool_path))


def _mtime(path: str) -> int:
    return Path(path).stat().st_mtime_ns


@lru_cache(maxsize=8)
def _file_digest(path: str, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]
