"""``hirecrew doctor`` checks the tracing collector when tracing is on."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.cli.support import run_hirecrew


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HIRECREW_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HIRECREW_MEMORY__BACKEND", "none")


def _tracing(data_dir: Path) -> tuple[int, dict[str, str]]:
    result = run_hirecrew("doctor", "--json", data_dir=data_dir)
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    return result.returncode, checks["tracing"]


def test_tracing_off_is_ok(tmp_path: Path) -> None:
    code, check = _tracing(tmp_path / "data")
    assert code == 0 and check["verdict"] == "ok" and "off" in check["detail"]


def test_an_unreachable_collector_fails_and_a_listening_one_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIRECREW_TRACING__ENABLED", "true")
    monkeypatch.setenv("HIRECREW_TRACING__HEADERS", "x-api-key=collector-secret")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("HIRECREW_TRACING__ENDPOINT", f"http://127.0.0.1:{closed}/v1/traces")
    code, check = _tracing(tmp_path / "data")
    assert code == 1 and check["verdict"] == "fail", check
    assert f"127.0.0.1:{closed}" in check["detail"]
    with socket.socket() as collector:
        collector.bind(("127.0.0.1", 0))
        collector.listen()
        port = collector.getsockname()[1]
        monkeypatch.setenv("HIRECREW_TRACING__ENDPOINT", f"http://127.0.0.1:{port}/v1/traces")
        code, check = _tracing(tmp_path / "data")
    assert check["verdict"] == "ok", check
    assert "collector-secret" not in json.dumps(check)
