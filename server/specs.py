"""A server project as the hiring flow sees it: a ``crews.project.ProjectSpec``.

The owner is the recruiter (their user id is the memory's recruiter id). The candidate pool is
a JSONL snapshot of the owner's candidates table, written under the data directory and named by
its content, so an unchanged pool is written once and its search index is reused. The demo
recruiter without candidates of their own gets the seeded demo pool; anyone else without
candidates gets an empty pool (a valid file: sourcing then finds nobody).

Interviews are scheduled with a default panel until projects carry their own (a later
increment); the panel is the demo's, so the outreach stage has someone to book.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from crews.demo import DEMO_RECRUITER, default_panel, next_monday, seed_demo_data
from crews.project import ProjectSpec
from domain.entities import Candidate, Recruiter
from server.db.models import CandidateRow, Project, User

DEMO_RECRUITER_ID = DEMO_RECRUITER.id
DEMO_RECRUITER_NAME = DEMO_RECRUITER.name
DEMO_RECRUITER_EMAIL = DEMO_RECRUITER.email
DEFAULT_COMPANY = "Our company"


def threading_safe_suffix() -> str:
    """A temporary-file suffix unique to this process and thread."""
    return f"{os.getpid()}-{threading.get_ident()}"


def pool_snapshot(session: Session, settings: Settings, owner: User) -> Path:
    """The owner's candidates as a JSONL file named by its content (written if new)."""
    rows = session.scalars(
        select(CandidateRow.data)
        # Quarantined by retention: out of every search until restored or erased.
        .where(CandidateRow.owner_id == owner.id, CandidateRow.quarantined_at.is_(None))
        .order_by(CandidateRow.candidate_id)
    ).all()
    if not rows and owner.id == DEMO_RECRUITER_ID:
        return seed_demo_data(settings.data_path)
    lines = [Candidate.model_validate(data).model_dump_json() + "\n" for data in rows]
    content = "".join(lines).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:16]
    owner_dir = hashlib.sha256(owner.id.encode()).hexdigest()[:16]
    path = settings.data_path / "pools" / owner_dir / f"{digest}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{threading_safe_suffix()}.tmp")
        tmp.write_bytes(content)
        tmp.replace(path)  # atomic: a concurrent run never reads half a pool
    return path


def build_spec(
    session: Session, settings: Settings, project: Project, owner: User, *, now: datetime
) -> ProjectSpec:
    """The flow's view of ``project``: title, notes, company, the owner as recruiter, the
    owner's pool snapshot and the default interview panel."""
    start = next_monday(now)
    return ProjectSpec(
        title=project.title,
        company=project.company or DEFAULT_COMPANY,
        recruiter=Recruiter(
            id=owner.id,
            name=owner.name,
            # The organiser of the .ics invites; a user without an e-mail gets a non-routable one.
            email=owner.email or f"{owner.id}@hirecrew.invalid",
        ),
        intake_notes=project.intake_notes,
        pool_path=str(pool_snapshot(session, settings, owner)),
        interviewers=default_panel(start),
        schedule_start=start,
        project_id=project.id,
    )
