"""Administration from the command line: users and the demo data, on the configured database.

Every function opens the database (migrated to the current schema) and closes it again, so
the CLI never touches SQLAlchemy itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from crews.demo import seed_demo_data
from domain.bias_audit import Decision
from domain.entities import Candidate
from server.auth import Role, create_user, rotate_token
from server.db.engine import make_engine, session_factory
from server.db.migrate import upgrade
from server.db.models import CandidateRow, User
from server.specs import (
    DEMO_RECRUITER_EMAIL,
    DEMO_RECRUITER_ID,
    DEMO_RECRUITER_NAME,
)


@contextmanager
def database(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, migrated to the current schema."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def add_user(
    settings: Settings, *, name: str, role: Role, email: str | None = None
) -> tuple[dict[str, Any], str]:
    """Create a user; returns the user as JSON data and their token (shown once).

    Raises:
        ValueError: an empty name.
    """
    with database(settings) as session:
        user, token = create_user(session, name=name, role=role, email=email)
        session.commit()
        return {"id": user.id, "name": user.name, "role": user.role, "email": user.email}, token


def seed_demo(settings: Settings) -> str:
    """Write the demo pool and make sure the demo recruiter exists; returns a new token for
    them (the previous one stops working: tokens are stored hashed, so it cannot be shown
    again)."""
    pool = seed_demo_data(settings.data_path)
    with database(settings) as session:
        user = session.get(User, DEMO_RECRUITER_ID)
        if user is None:
            _, token = create_user(
                session,
                name=DEMO_RECRUITER_NAME,
                role=Role.RECRUITER,
                email=DEMO_RECRUITER_EMAIL,
                user_id=DEMO_RECRUITER_ID,
            )
        else:
            user.disabled = False
            token = rotate_token(session, user)
        session.flush()
        _seed_demo_candidates(session, pool)
        session.commit()
    return token


def _seed_demo_candidates(session: Session, pool: Path) -> None:
    """The demo pool as the demo recruiter's candidates (once): listed, searchable and
    erasable over the API like any others, and still there after they upload their own."""
    owned = session.scalars(
        select(CandidateRow.pk).where(CandidateRow.owner_id == DEMO_RECRUITER_ID).limit(1)
    ).first()
    if owned is not None:
        return
    for line in pool.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        candidate = Candidate.model_validate_json(line)
        session.add(
            CandidateRow(
                owner_id=DEMO_RECRUITER_ID,
                candidate_id=candidate.id,
                source=candidate.source or "demo pool",
                name=candidate.name[:300] or None,
                data=candidate.model_dump(mode="json"),
            )
        )


def audit_records(settings: Settings, kinds: Collection[str]) -> list[dict[str, Any]]:
    """The server's audit entries of ``kinds``, oldest first (for ``hirecrew audit explain``)."""
    from server.audit_store import SqlAuditLog

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        return SqlAuditLog(engine).records(kinds=kinds)
    finally:
        engine.dispose()


def project_decisions(settings: Settings, project_id: str) -> list[Decision] | None:
    """A project's bias-audit decisions (``server.bias``), or None when there is no such
    project (for ``hirecrew audit bias --project``)."""
    from server.bias import project_decisions as decisions_of
    from server.db.models import Project

    with database(settings) as session:
        project = session.get(Project, project_id)
        if project is None:
            return None
        return decisions_of(session, owner_id=project.owner_id, project_id=project.id)


def verify_audit(settings: Settings) -> dict[str, Any]:
    """Check the server's audit chain (``SqlAuditLog.verify``), for ``hirecrew audit verify
    --database``."""
    from server.audit_store import SqlAuditLog

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        return SqlAuditLog(engine).verify()
    finally:
        engine.dispose()
