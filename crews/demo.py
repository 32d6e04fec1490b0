"""The bundled demo: a synthetic candidate pool, the demo recruiter, an interview panel and the
demo hiring project. One copy, used by the CLI (`hirecrew demo`, `seed`) and the server (the
seeded demo recruiter, the default panel)."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from crews.project import ProjectSpec
from domain.entities import BusyBlock, Interviewer, Recruiter
from domain.sample_data import SAMPLE_INTAKE_NOTES, generate_pool, write_pool_jsonl

DEMO_POOL_SIZE = 240
DEMO_RECRUITER = Recruiter(
    id="rec-demo", name="Dana Weber", email="dana.weber@example.test", timezone="Europe/Berlin"
)


def seed_demo_data(data_dir: Path) -> Path:
    """Write the demo candidate pool under the data directory (idempotent); returns its path."""
    path = data_dir / "demo" / "pool.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unique per process and thread: two first runs racing never share a temporary file.
        tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
        write_pool_jsonl(generate_pool(DEMO_POOL_SIZE), tmp)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a pool
    return path


def next_monday(now: datetime) -> datetime:
    """Midnight UTC of the next Monday: interviews are scheduled from the coming week."""
    days = (7 - now.weekday()) % 7 or 7
    return datetime.combine((now + timedelta(days=days)).date(), time(0, 0), tzinfo=UTC)


def default_panel(start: datetime) -> list[Interviewer]:
    """The demo interview panel: two interviewers in two time zones, one busy Monday morning."""
    return [
        Interviewer(
            name="Priya Raman",
            email="priya.raman@example.test",
            timezone="Europe/Berlin",
            busy=[BusyBlock(start=start + timedelta(hours=8), end=start + timedelta(hours=12))],
        ),
        Interviewer(
            name="Tom Okafor",
            email="tom.okafor@example.test",
            timezone="Europe/Lisbon",
            work_start=time(9, 30),
            work_end=time(18, 0),
        ),
    ]


def demo_project(data_dir: Path, *, now: datetime | None = None) -> ProjectSpec:
    """The demo hiring project for a Senior Backend Engineer in Berlin."""
    start = next_monday(now or datetime.now(UTC))
    return ProjectSpec(
        title="Senior Backend Engineer",
        company="Acme Payments",
        recruiter=DEMO_RECRUITER.model_copy(),
        intake_notes=SAMPLE_INTAKE_NOTES,
        pool_path=str(seed_demo_data(data_dir)),
        interviewers=default_panel(start),
        schedule_start=start,
        preferences=[],
    )
