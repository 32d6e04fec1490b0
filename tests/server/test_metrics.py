"""``GET /metrics``: Prometheus text read from the database, for admins and the scrape token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
)

SCRAPE_TOKEN = "scrape-me-0123456789"


def _samples(text: str) -> dict[str, list[Any]]:
    """Samples by family name."""
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def _value(samples: list[Any], name: str, **labels: str) -> float:
    matching = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(matching) == 1, (name, labels, samples)
    return float(matching[0])


def test_metrics_after_an_intake_run(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data")
    settings = settings.model_copy(
        update={
            "server": settings.server.model_copy(update={"metrics_token": SecretStr(SCRAPE_TOKEN)})
        }
    )
    with running_app(settings) as (client, app):
        admin = add_user(app, "Ada", role="admin")
        recruiter = add_user(app, "Rae")
        project = new_project(client, recruiter)
        run_id = start_intake(client, recruiter, project["id"])
        view = wait_for(client, recruiter, run_id)
        assert view["status"] == "awaiting_review"

        # Who may scrape.
        missing = client.get("/metrics")
        assert missing.status_code == 401
        assert "authentication required" in missing.json()["detail"]
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        denied = client.get("/metrics", headers=recruiter)
        assert denied.status_code in (401, 403)
        assert "detail" in denied.json()
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
        assert scraped.status_code == 200, scraped.text
        answer = client.get("/metrics", headers=admin)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]

        families = _samples(answer.text)
        assert {
            "hirecrew_runs",
            "hirecrew_queue_depth",
            "hirecrew_stage_duration_seconds",
            "hirecrew_gate_waiting_seconds",
            "hirecrew_gate_waiting_seconds_max",
            "hirecrew_llm_calls",
            "hirecrew_llm_tokens",
            "hirecrew_outbox_messages",
        } <= set(families)

        # The values match the database.
        runs = families["hirecrew_runs"]
        assert _value(runs, "hirecrew_runs", state="awaiting_review", stage="intake") == 1
        assert sum(s.value for s in runs) == 1
        assert _value(families["hirecrew_queue_depth"], "hirecrew_queue_depth") == 0
        gate = families["hirecrew_gate_waiting_seconds"]
        assert _value(gate, "hirecrew_gate_waiting_seconds_count") == 1
        assert _value(gate, "hirecrew_gate_waiting_seconds_sum") >= 0
        durations = families["hirecrew_stage_duration_seconds"]
        assert _value(durations, "hirecrew_stage_duration_seconds_count", stage="intake") == 1
        assert _value(durations, "hirecrew_stage_duration_seconds_sum", stage="intake") > 0

        calls = families["hirecrew_llm_calls"]
        offline_calls = _value(calls, "hirecrew_llm_calls_total", model="offline")
        assert offline_calls > 0
        tokens = families["hirecrew_llm_tokens"]
        prompt = _value(tokens, "hirecrew_llm_tokens_total", model="offline", kind="prompt")
        completion = _value(tokens, "hirecrew_llm_tokens_total", model="offline", kind="completion")
        assert prompt > 0 and completion > 0

        # Cross-check against the audit trail itself.
        records = app.state.ctx.audit.records()
        completed = [
            r
            for r in records
            if r.get("kind") == "crewai_event"
            and (r.get("payload") or r).get("event") == "llm_call_completed"
        ]
        assert offline_calls == len(completed)

        # Nothing in the outbox yet: an empty family.
        assert families["hirecrew_outbox_messages"] == []
