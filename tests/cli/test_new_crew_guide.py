"""docs/new-crew.md, followed literally: every file it shows is written (or appended) as shown,
every ``$`` command in its console blocks is run in order in a fresh directory, and the crew
it builds runs. The example shipped in examples/reference_check must be what the guide shows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.guides import Block, guide_blocks

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
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HIRECREW_") or key == "HIRECREW_CACHE_DIR"
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HIRECREW_DATA_DIR"] = str(tmp_path / "data")
    exports: list[str] = []
    outputs: dict[str, str] = {}
    commands = 0
    for block in _blocks():
        if block.language == "console":
            for line in block.body.splitlines():
                if not line.startswith("$ "):
                    continue
                command = line[2:]
                if command.startswith("export "):
                    exports.append(command)
                    continue
                script = "\n".join([*exports, command])
                done = subprocess.run(
                    ["bash", "-c", script],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert done.returncode == 0, (command, done.stdout, done.stderr)
                outputs[command] = done.stdout
                commands += 1
        elif block.title and block.language in {"python", "yaml"}:
            target = work / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            if block.append:
                assert target.exists(), f"the guide appends to {block.title} before it exists"
                with target.open("a", encoding="utf-8") as handle:
                    handle.write(block.body)
            else:
                target.write_text(block.body, encoding="utf-8")
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
