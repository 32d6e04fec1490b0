"""What the API tests share: a real app on a real database, users, and waiting for runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from config.settings import DatabaseSettings, LLMSettings, MemorySettings, Settings
from domain.sample_data import SAMPLE_INTAKE_NOTES

SETTLED = {"awaiting_review", "confirmed", "rejected", "stopped", "failed"}


def api_settings(data_dir: Path, db_url: str = "") -> Settings:
    """Offline settings (whatever HIRECREW_LLM__*/MEMORY__* say) on ``db_url`` (default:
    SQLite in the data directory); the search-index cache stays the session's."""
    return Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=db_url),
        llm=LLMSettings(),
        memory=MemorySettings(),
    )


@contextmanager
def running_app(settings: Settings) -> Iterator[tuple[TestClient, FastAPI]]:
    from server.app import create_app

    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app


def add_user(app: FastAPI, name: str, role: str = "recruiter", user_id: str | None = None) -> Any:
    """A user made the way `hirecrew users create` makes one; returns their auth headers."""
    from server.auth import Role, create_user

    with app.state.ctx.writes() as session:
        _, token = create_user(session, name=name, role=Role(role), user_id=user_id)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def new_project(client: TestClient, headers: Any, title: str = "Senior Backend Engineer") -> Any:
    answer = client.post(
        "/api/projects",
        json={"title": title, "intake_notes": SAMPLE_INTAKE_NOTES, "company": "Acme Payments"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def start_intake(client: TestClient, headers: Any, project_id: str) -> str:
    answer = client.post(
        f"/api/projects/{project_id}/runs", json={"stage": "intake"}, headers=headers
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    return str(answer.json()["run_id"])


def wait_for(client: TestClient, headers: Any, run_id: str, timeout: float = 180) -> Any:
    """The run once it settles (awaiting review, decided, stopped or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(f"/api/runs/{run_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        view = answer.json()
        if view["status"] in SETTLED:
            return view
        assert time.monotonic() < deadline, f"run {run_id} still {view['status']}"
        time.sleep(0.2)


def wait_idle(app: FastAPI, timeout: float = 180) -> None:
    """Until the worker pool has nothing queued or running."""
    deadline = time.monotonic() + timeout
    while not app.state.ctx.pool.idle():
        assert time.monotonic() < deadline, "the worker pool is still busy"
        time.sleep(0.1)


def sse_events(client: TestClient, headers: Any, run_id: str, **extra: str) -> list[Any]:
    """The run's event stream, read to its end: (id, event, data) per event."""
    import json

    events: list[Any] = []
    with client.stream(
        "GET", f"/api/runs/{run_id}/events", headers={**headers, **extra}
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        current: dict[str, Any] = {}
        for line in response.iter_lines():
            if not line:
                if "event" in current:
                    events.append(current)
                current = {}
            elif line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
    return events
