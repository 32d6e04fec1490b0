"""docs/new-crew.md, followed literally: every file it shows is written (or appended) as shown,
every ``$`` command in its console blocks is run in order in a fresh directory, and the crew
it builds runs. The example shipped in examples/reference_check must be what the guide shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.guides import Block, follow, guide_blocks, newcomer_env

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "new-crew.md"
EXAMPLE = ROOT / "examples" / "reference_check"


def _blocks() -> list[Block]:
    return guide_blocks(GUIDE)


def test_the_guide_shows_the_shipped_example() -> None:
    shown = {b.title: b.body for b in _blocks() if b.title}
    expected = {
        "reference_check/models.py": "reference_check/models.py",
        "reference_check/tools.py": "reference_check/tools.py",
        "reference_check/__init__.py": "reference_check/__init__.py",
        "my-config/agents.yaml": "config/agents.yaml",
        "my-config/tasks.yaml": "config/tasks.yaml",
        "my-config/crews.yaml": "config/crews.yaml",
        "inputs.yaml": "inputs.yaml",
        "pyproject.toml": "pyproject.toml",
    }
    assert set(shown) == set(expected)
    for title, shipped in expected.items():
        assert shown[title] == (EXAMPLE / shipped).read_text(encoding="utf-8"), title


def test_following_the_guide_builds_and_runs_the_crew(tmp_path: Path) -> None:
    work = tmp_path / "newcomer"
    work.mkdir()
    ran = follow(_blocks(), work, newcomer_env(tmp_path / "data"))
    outputs, commands = dict(ran), len(ran)
    assert commands == 4

    assert "my-config: valid (7 agents, 6 tasks, 6 crews)" in outputs["hirecrew config validate"]
    listing = outputs["hirecrew crew list"]
    assert re.search(r"^reference_check\s+custom\s+sequential", listing, re.MULTILINE), listing
    run = json.loads(outputs["hirecrew crew run reference_check --inputs inputs.yaml --json"])
    assert run["status"] == "completed", run
    assert run["output"]["candidate"] == "Priya Raman"
    assert [r["would_rehire"] for r in run["output"]["referees"]] == [True, True]
    assert run["output"]["recommendation"] == "discuss"
    audit = [
        json.loads(line)
        for line in (tmp_path / "data" / "audit.jsonl").read_text().splitlines()
        if line.strip()
    ]
    assert [r["kind"] for r in audit if r["run_id"] == run["id"]][-1] == "crew_run_finished"
