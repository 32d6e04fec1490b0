"""OpenTelemetry tracing: a real stage through the real app (offline engine) makes a span tree
(request, stage, crews, model calls) with run and project ids and token counts, and no candidate
text; with tracing off nothing is installed and nothing recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from config.settings import Settings, TracingSettings
from domain.sample_data import SAMPLE_INTAKE_NOTES
from server import tracing
from tests.server.api_support import add_user, api_settings, running_app, wait_for

pytestmark = pytest.mark.slow

NOTES_MARKER = "QZXNOTESMARKER5512"


@pytest.fixture
def no_tracing() -> Iterator[None]:
    tracing.shutdown()
    yield
    tracing.shutdown()


def _settings(tmp_path: Path, enabled: bool) -> Settings:
    base = api_settings(tmp_path / "data")
    return base.model_copy(
        update={"tracing": TracingSettings(enabled=enabled, service_name="hirecrew-test")}
    )


def _run_intake(settings: Settings) -> tuple[str, str]:
    with running_app(settings) as (client, app):
        olga = add_user(app, "Olga Brandt", user_id="olga-1")
        project = client.post(
            "/api/projects",
            json={
                "title": "Senior Backend Engineer",
                "intake_notes": SAMPLE_INTAKE_NOTES + f"\nAlso: {NOTES_MARKER}\n",
            },
            headers=olga,
        ).json()
        started = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=olga
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        view = wait_for(client, olga, run_id)
        assert view["status"] == "awaiting_review", view["error"]
    return str(project["id"]), str(run_id)


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_a_stage_makes_a_span_tree_with_ids_and_tokens(tmp_path: Path, no_tracing: None) -> None:
    settings = _settings(tmp_path, enabled=True)
    exporter = InMemorySpanExporter()
    assert tracing.configure(settings, exporter=exporter) is not None
    project_id, run_id = _run_intake(settings)
    spans = exporter.get_finished_spans()
    by_id = {span.context.span_id: span for span in spans}

    (stage,) = [s for s in spans if s.name == "stage intake"]
    attributes = _attributes(stage)
    assert attributes["hirecrew.run_id"] == run_id
    assert attributes["hirecrew.project_id"] == project_id
    assert attributes["hirecrew.stage"] == "intake" and attributes["hirecrew.attempt"] == 1
    assert attributes["hirecrew.flow_id"] and "awaiting" in attributes["hirecrew.stage.status"]
    assert attributes["gen_ai.usage.input_tokens"] > 0
    assert stage.resource.attributes["service.name"] == "hirecrew-test"

    crews = [s for s in spans if s.name.startswith("crew ")]
    assert len(crews) >= 2  # the stage's crew and the reviewer's
    for crew in crews:
        assert crew.parent is not None and crew.parent.span_id == stage.context.span_id
        assert _attributes(crew)["hirecrew.run_id"] == run_id
        assert crew.start_time is not None and stage.start_time is not None
        assert stage.start_time <= crew.start_time
        assert crew.end_time is not None and stage.end_time is not None
        assert crew.end_time <= stage.end_time

    calls = [s for s in spans if s.name.startswith("llm ")]
    assert calls
    for call in calls:
        parent = by_id[call.parent.span_id] if call.parent else None
        assert parent is not None and parent.name.startswith("crew "), call.name
        found = _attributes(call)
        assert found["gen_ai.request.model"] == "offline"
        assert found["gen_ai.usage.input_tokens"] > 0
        assert found["gen_ai.usage.output_tokens"] > 0
        assert found["hirecrew.project_id"] == project_id and found["hirecrew.agent_role"]
        assert call.kind == trace.SpanKind.CLIENT
    total = sum(_attributes(c)["gen_ai.usage.input_tokens"] for c in calls)
    assert total == attributes["gen_ai.usage.input_tokens"]
    assert all(s.context.trace_id == stage.context.trace_id for s in [*crews, *calls])

    requests = [s for s in spans if s.kind == trace.SpanKind.SERVER]
    start = next(s for s in requests if s.name == "POST /api/projects/{project_id}/runs")
    found = _attributes(start)
    assert found["http.response.status_code"] == 202
    assert found["hirecrew.project_id"] == project_id and found["enduser.id"] == "olga-1"
    assert found["http.route"] == "/api/projects/{project_id}/runs"
    assert any(s.name == "GET /api/runs/{run_id}" for s in requests)

    # Never candidate (or intake) text: names and attributes are ids, names and counts.
    dumped = json.dumps(
        [[s.name, _attributes(s), [e.name for e in s.events]] for s in spans], default=str
    )
    assert NOTES_MARKER not in dumped and "rockstar" not in dumped
    # crewai's own telemetry stays off; no global provider was installed.
    import os

    assert os.environ["CREWAI_DISABLE_TELEMETRY"] == "true"
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def test_with_tracing_off_nothing_is_installed_or_recorded(
    tmp_path: Path, no_tracing: None
) -> None:
    # A provider from an earlier configuration is shut down by the "off" settings.
    earlier = InMemorySpanExporter()
    assert tracing.configure(_settings(tmp_path, enabled=True), exporter=earlier) is not None
    settings = _settings(tmp_path, enabled=False)
    assert tracing.configure(settings) is None and tracing.active() is None
    with running_app(settings) as (client, app):
        assert not any(m.cls is tracing.TraceRequests for m in app.user_middleware)
        observer = app.state.ctx.runtime.observer
        assert not isinstance(observer, tracing.TracedObserver)
        olga = add_user(app, "Olga Brandt", user_id="olga-1")
        project = client.post(
            "/api/projects",
            json={"title": "Engineer", "intake_notes": SAMPLE_INTAKE_NOTES},
            headers=olga,
        ).json()
        run_id = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=olga
        ).json()["run_id"]
        assert wait_for(client, olga, run_id)["status"] == "awaiting_review"
    assert earlier.get_finished_spans() == ()
    assert tracing.active() is None
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
