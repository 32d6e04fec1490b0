from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config import DEFAULT_CONFIG_DIR
from config.settings import Settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def runtime(settings: Settings) -> Any:
    from crews.runner import open_runtime

    return open_runtime(settings)


@pytest.fixture
def project(settings: Settings) -> Any:
    from crews.demo import demo_project

    return demo_project(settings.data_path, now=NOW)


@pytest.fixture
def config_copy(tmp_path: Path) -> Callable[[dict[str, tuple[str, str]]], Path]:
    """A copy of the bundled configuration with textual replacements per file."""

    def make(replacements: dict[str, tuple[str, str]]) -> Path:
        target = tmp_path / "config"
        target.mkdir(exist_ok=True)
        for name in ("agents.yaml", "tasks.yaml", "crews.yaml"):
            text = (DEFAULT_CONFIG_DIR / name).read_text()
            if name in replacements:
                old, new = replacements[name]
                assert old in text
                text = text.replace(old, new, 1)
            (target / name).write_text(text)
        return target

    return make


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def confirm() -> Callable[[Any, str], Any]:
    from crews.decisions import GateDecision
    from crews.runner import decide

    def apply(runtime: Any, run_id: str, **decision: Any) -> Any:
        payload = {"decision": "confirm", **decision}
        return run(decide(runtime, run_id, GateDecision.model_validate(payload)))

    return apply
