"""Structured logs: JSON lines with run, project, request and user ids; never a secret, never
resume text. The proof runs real stages through the real app (offline engine) with a marker
in a resume and a marker secret in the settings, every logger at debug level."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from config.settings import LogSettings, ServerSettings, Settings
from server.logs import (
    ACCESS_LOGGER,
    FLOORS,
    ROUTED,
    TOKEN_PREFIX,
    Redactor,
    bind,
    configure_logging,
    secret_values,
)
from tests.server.api_support import add_user, api_settings, running_app, wait_for

RESUME_MARKER = "QZXRESUMEMARKER7731"
SECRET_MARKER = "QZXSECRETMARKER9046"
RESUME = f"""Jordan Lee
Senior Backend Engineer, Berlin
Skills: Python, PostgreSQL, Kubernetes, Terraform, Go
Experience
2017 - 2024  Backend Engineer at Fintech GmbH: built payment services in Python on Kubernetes
{RESUME_MARKER}, ran PostgreSQL in production, mentored three engineers {RESUME_MARKER}.
"""


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the logging configuration back as it was (configure_logging changes globals)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = [*FLOORS, *ROUTED, ACCESS_LOGGER]
    saved = {n: (logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (old, propagate) in saved.items():
        logging.getLogger(name).setLevel(old)
        logging.getLogger(name).propagate = propagate
    logging.captureWarnings(False)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    text = buffer.getvalue()
    assert text.endswith("\n")
    parsed = []
    for raw in text.splitlines():
        line = json.loads(raw)  # every line is one JSON object
        assert isinstance(line, dict), raw
        assert {"time", "level", "logger", "message"} <= set(line), raw
        parsed.append(line)
    return parsed


def _settings(tmp_path: Path, **log: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        log=LogSettings(**log),
        server=ServerSettings(metrics_token=SecretStr("tok-" + SECRET_MARKER)),
        broker_url=SecretStr(f"redis://:{SECRET_MARKER}pw@redis:6379/0"),
    )


def test_the_token_prefix_is_the_servers() -> None:
    from server.auth import TOKEN_PREFIX as AUTH_PREFIX

    assert TOKEN_PREFIX == AUTH_PREFIX


def test_secret_values_come_from_every_secret_setting(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    found = secret_values(settings, environ={"OPENAI_API_KEY": "sk-envkey-123456", "HOME": "/x"})
    assert "tok-" + SECRET_MARKER in found
    assert f"{SECRET_MARKER}pw" in found  # the password inside the broker URL
    assert "sk-envkey-123456" in found and "/x" not in found


def test_lines_are_json_with_ids_and_nothing_secret_or_free(
    tmp_path: Path, restore_logging: None
) -> None:
    buffer = io.StringIO()
    configure_logging(_settings(tmp_path, level="debug"), stream=buffer)
    ours = logging.getLogger("server.example")
    with bind(run_id="run-1", project_id="proj-1"):
        ours.info("scrape token %s accepted", "tok-" + SECRET_MARKER)
        ours.info(
            "imported",
            extra={"resume": RESUME, "text": RESUME_MARKER, "count": 3, "kind": "pdf"},
        )
    # Libraries' lines: uvicorn, celery, crewai, httpx, litellm all through the same handler.
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("celery.worker").info("received %s", RESUME)  # a long free-text arg
    logging.getLogger("crewai.agent").debug("messages: %s", [{"content": RESUME}])
    logging.getLogger("httpx").info(
        'HTTP Request: GET %s "%s"', f"https://u:{SECRET_MARKER}@h/v1?api_key=abc123", "200 OK"
    )
    logging.getLogger("litellm").warning("headers %s", "Authorization: Bearer sk-abcdefgh1234")
    logging.getLogger("uvicorn.error").info("Cookie: session=%s", "abcdef123456")
    logging.getLogger("server.example").info("user token hc_%s", "A" * 43)
    # SQLAlchemy's engine prints parameters (rows) at info: held at warning.
    logging.getLogger("sqlalchemy.engine.Engine").info("INSERT ... (%s)", RESUME_MARKER)
    try:
        raise ValueError(f"bad input_value='{RESUME_MARKER} text', password={SECRET_MARKER}")
    except ValueError:
        ours.exception("a job failed")

    text = buffer.getvalue()
    lines = _lines(buffer)
    assert SECRET_MARKER not in text and RESUME_MARKER not in text
    assert "abc123" not in text and "sk-abcdefgh1234" not in text and "abcdef123456" not in text
    assert "A" * 43 not in text
    first, second = lines[0], lines[1]
    assert first["message"] == "scrape token *** accepted"
    assert first["run_id"] == "run-1" and first["project_id"] == "proj-1"
    assert first["logger"] == "server.example" and first["level"] == "info"
    assert second["resume"].startswith("[withheld") and second["text"].startswith("[withheld")
    assert second["count"] == 3 and second["kind"] == "pdf"
    by_logger: dict[str, dict[str, Any]] = {}
    for line in lines:
        by_logger.setdefault(line["logger"], line)
    assert by_logger["uvicorn.error"]["message"] == "Started server process [42]"
    assert "chars withheld" in by_logger["celery.worker"]["message"]
    assert by_logger["crewai.agent"]["message"] == "messages: [list withheld]"
    assert "sqlalchemy.engine.Engine" not in by_logger
    assert "ValueError" in lines[-1]["exc"] and lines[-1]["level"] == "error"
    assert "run_id" not in by_logger["uvicorn.error"]


def test_text_format_is_one_readable_line(tmp_path: Path, restore_logging: None) -> None:
    buffer = io.StringIO()
    configure_logging(_settings(tmp_path, format="text"), stream=buffer)
    with bind(run_id="run-9"):
        logging.getLogger("server.example").info("hello %s", "tok-" + SECRET_MARKER)
    logging.getLogger("server.example").debug("not at info level")
    (line,) = buffer.getvalue().splitlines()
    assert " INFO    server.example: hello *** [run_id=run-9]" in line


def test_the_redactor_leaves_plain_lines_alone() -> None:
    redactor = Redactor(["s3cr3t-value"])
    record = logging.makeLogRecord(
        {"name": "server.x", "msg": "run %s settled in %.1f s", "args": ("r-1", 2.5)}
    )
    assert redactor.filter(record)
    assert record.getMessage() == "run r-1 settled in 2.5 s"


@pytest.mark.slow
def test_a_pipeline_through_the_server_logs_ids_and_never_resume_text_or_secrets(
    tmp_path: Path, restore_logging: None
) -> None:
    base = api_settings(tmp_path / "data")
    settings = base.model_copy(
        update={
            "log": LogSettings(level="debug"),
            "server": ServerSettings(metrics_token=SecretStr("tok-" + SECRET_MARKER)),
            "llm": base.llm.model_copy(update={"api_key": SecretStr("sk-" + SECRET_MARKER)}),
        }
    )
    buffer = io.StringIO()
    configure_logging(settings, stream=buffer)
    with running_app(settings) as (client, app):
        olga = add_user(app, "Olga Brandt", user_id="olga-1")
        imported = client.post(
            "/api/candidates",
            files={"file": ("jordan-lee.txt", RESUME.encode(), "text/plain")},
            headers={**olga, "X-Request-ID": "req-import-1"},
        )
        assert imported.status_code == 201, imported.text
        assert imported.headers["x-request-id"] == "req-import-1"
        from domain.sample_data import SAMPLE_INTAKE_NOTES

        project = client.post(
            "/api/projects",
            json={"title": "Senior Backend Engineer", "intake_notes": SAMPLE_INTAKE_NOTES},
            headers=olga,
        ).json()
        started = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=olga
        )
        assert started.status_code == 202, started.text
        run_ids = [started.json()["run_id"]]
        for _ in ("sourcing", "screening"):
            view = wait_for(client, olga, run_ids[-1])
            assert view["status"] == "awaiting_review", view["error"]
            decided = client.post(
                f"/api/runs/{run_ids[-1]}/decision", json={"action": "confirm"}, headers=olga
            )
            assert decided.status_code == 200, decided.text
            run_ids.append(decided.json()["next_run_id"])
        screening = wait_for(client, olga, run_ids[-1])
        assert screening["status"] == "awaiting_review", screening["error"]
        # The marker went through the pipeline: the screener quotes the resume.
        assert RESUME_MARKER in json.dumps(screening["artifact"])
        # The secret travels in a request (the scrape token) and in a refused one.
        scrape = {"Authorization": f"Bearer tok-{SECRET_MARKER}"}
        assert client.get("/metrics", headers=scrape).status_code == 200
        refused = {"Authorization": f"Bearer {SECRET_MARKER}"}
        denied = client.get(f"/api/runs/{run_ids[0]}?token={SECRET_MARKER}", headers=refused)
        assert denied.status_code == 401
        assert client.get("/").status_code == 200  # the web UI (a mount)
        assert client.get("/nowhere/at-all").status_code == 404

    text = buffer.getvalue()
    assert RESUME_MARKER not in text
    assert SECRET_MARKER not in text
    lines = _lines(buffer)
    assert len(lines) > 50
    # A job's lines carry the run it was queued for (a decision's job: the run decided on).
    jobs = [line for line in lines if line["logger"] == "server.jobs"]
    assert {line["run_id"] for line in jobs} == set(run_ids[:-1])
    assert all(line["project_id"] == project["id"] for line in jobs)
    # Each stage's lines carry its own run id and the project's id (also those of crewai's
    # event handlers, on their own threads), with the stage.
    for run_id, stage in zip(run_ids, ("intake", "sourcing", "screening"), strict=True):
        mine = [line for line in lines if line.get("run_id") == run_id]
        events = [line for line in mine if line["logger"] == "server.events"]
        assert events, f"no crewai event lines for {stage}"
        assert all(line["project_id"] == project["id"] for line in mine)
        assert {line.get("stage") for line in events} == {stage}
        assert all(line.get("flow_id") for line in events)
    llm_lines = [line for line in lines if line.get("event") == "llm_call_completed"]
    assert llm_lines, "no llm lines"
    bad = [line for line in llm_lines if not isinstance(line.get("prompt_tokens"), int)]
    assert not bad, json.dumps(bad[:2])
    # Requests: method, route template, status, duration, request and user ids.
    access = [line for line in lines if line["logger"] == ACCESS_LOGGER]
    assert access, "no request lines"
    routes = sorted({line["route"] for line in access})
    start = next((x for x in access if x["route"] == "/api/projects/{project_id}/runs"), None)
    assert start is not None, routes
    assert start["method"] == "POST" and start["status"] == 202
    assert start["user_id"] == "olga-1" and start["request_id"]
    assert isinstance(start["duration_ms"], float)
    upload = next(line for line in access if line["request_id"] == "req-import-1")
    assert upload["route"] == "/api/candidates" and upload["status"] == 201
    assert any(line["route"] == "/metrics" and line["status"] == 200 for line in access)
    assert not any("token=" in line["message"] for line in access)
    assert any(line["route"] == "unmatched" and line["status"] == 404 for line in access)
    known = ("/api/", "/metrics", "/{", "unmatched")
    assert all(x["route"] == "/" or x["route"].startswith(known) for x in access), routes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_hirecrew_serve_writes_json_lines_uvicorns_included(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HIRECREW_DATA_DIR": str(tmp_path / "data"),
        "HIRECREW_MEMORY__BACKEND": "none",
        "HIRECREW_SERVER__METRICS_TOKEN": "tok-" + SECRET_MARKER,
        "HIRECREW_LOG__LEVEL": "debug",
    }
    env.pop("HIRECREW_LOG__FORMAT", None)
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[1][-3000:]
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/healthz?token={SECRET_MARKER}", timeout=2
                ) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
    assert SECRET_MARKER not in err
    lines = [json.loads(raw) for raw in err.splitlines() if raw.strip()]
    loggers = {line["logger"] for line in lines}
    assert "uvicorn.error" in loggers, err[-2000:]
    assert any("Application startup complete" in line["message"] for line in lines)
    health = [line for line in lines if line.get("route") == "/api/healthz"]
    assert health and health[0]["status"] == 200 and health[0]["method"] == "GET"
