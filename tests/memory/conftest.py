"""Memory tests run real Mem0 on real stores, each test in its own data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import LLMSettings, MemorySettings, Settings
from memory.mem0_backend import Mem0Memory, load_mem0


@pytest.fixture(scope="session", autouse=True)
def _mem0_loaded() -> None:
    """Import mem0 with the session's environment (tests/conftest.py), so that the first
    test's own data directory is not where the whole session's crewai/Mem0 defaults point."""
    load_mem0(Settings())


def offline_settings(data_dir: Path, **memory: object) -> Settings:
    """Settings that ignore any HIRECREW_LLM__* / HIRECREW_MEMORY__* of the environment."""
    return Settings(
        data_dir=data_dir, llm=LLMSettings(), memory=MemorySettings.model_validate(memory)
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return offline_settings(tmp_path / "data")


@pytest.fixture
def memory(settings: Settings) -> Iterator[Mem0Memory]:
    opened = Mem0Memory(settings)
    yield opened
    opened.close()


def files_containing(directory: Path, needle: str) -> list[str]:
    """Every file under ``directory`` whose raw bytes contain ``needle`` (SQLite databases,
    their WAL and journal files included)."""
    data = needle.encode()
    return sorted(str(p) for p in directory.rglob("*") if p.is_file() and data in p.read_bytes())
