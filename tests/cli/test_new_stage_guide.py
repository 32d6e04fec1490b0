"""docs/new-stage.md, followed literally: every file it shows is written (or appended) as shown,
every ``$`` command in its console blocks is run in order in a fresh directory, and the hiring
flow it sets up stops at the interview_kit gate with a valid kit, then goes on to outreach once
the kit is confirmed. The example shipped in examples/interview_kit must be what the guide shows.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

from tests.cli.guides import Block, follow, guide_blocks, newcomer_env

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "new-stage.md"
EXAMPLE = ROOT / "examples" / "interview_kit"
SHIPPED = {
    "interview_kit/models.py": "interview_kit/models.py",
    "interview_kit/tools.py": "interview_kit/tools.py",
    "interview_kit/__init__.py": "interview_kit/__init__.py",
    "my-config/agents.yaml": "config/agents.yaml",
    "my-config/tasks.yaml": "config/tasks.yaml",
    "my-config/crews.yaml": "config/crews.yaml",
    "pyproject.toml": "pyproject.toml",
}
PIPELINE = ["intake", "sourcing", "screening", "interview_kit", "outreach"]


def _blocks() -> list[Block]:
    return guide_blocks(GUIDE)


def test_the_guide_shows_the_shipped_example() -> None:
    shown: dict[str, str] = {}
    for block in _blocks():
        if block.title:
            # A file may be shown in parts (crews.yaml: the crew, then the pipeline).
            assert block.append or block.title not in shown, f"{block.title} shown twice"
            shown[block.title] = shown.get(block.title, "") + block.body
    assert set(shown) == set(SHIPPED)
    for title, shipped in SHIPPED.items():
        assert shown[title] == (EXAMPLE / shipped).read_text(encoding="utf-8"), title


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _output_model(work: Path) -> Any:
    """InterviewKit as the newcomer wrote it (not the shipped copy, which may be imported)."""
    spec = importlib.util.spec_from_file_location(
        "newcomer_interview_kit_models", work / "interview_kit" / "models.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.InterviewKit


def test_following_the_guide_adds_a_gated_stage_to_the_flow(tmp_path: Path) -> None:
    work = tmp_path / "newcomer"
    work.mkdir()
    outputs = follow(_blocks(), work, newcomer_env(tmp_path / "data"))

    commands = [command for command, _ in outputs]
    assert commands == [
        "hirecrew config init my-config",
        "hirecrew config validate",
        "hirecrew crew list",
        "hirecrew project start --json > run.json",
        "hirecrew project decide $RUN confirm --stage intake",
        "hirecrew project decide $RUN confirm --stage sourcing",
        "hirecrew project decide $RUN confirm --stage screening",
        "hirecrew project show $RUN",
        "hirecrew project show $RUN --json",
        "hirecrew project decide $RUN confirm --stage interview_kit",
        "hirecrew project decide $RUN confirm --stage outreach",
    ]
    out = [stdout for _, stdout in outputs]

    # The configuration: the example's agent, task and crew, and the pipeline, are valid.
    assert "my-config: valid (7 agents, 6 tasks, 6 crews" in out[1], out[1]
    assert re.search(r"^interview_kit\s+custom\s+sequential", out[2], re.MULTILINE), out[2]

    # The run stops at each built-in gate, then at the interview kit's.
    started = json.loads((work / "run.json").read_text(encoding="utf-8"))
    run_id = started["project"]["id"]
    assert started["project"]["status"] == "awaiting_decision"
    assert started["project"]["current_stage"] == "intake"
    for stdout, following in zip(out[4:7], PIPELINE[1:4], strict=True):
        assert _first_line(stdout) == f"run {run_id}: awaiting_decision at {following}", stdout
    assert _first_line(out[7]) == f"run {run_id}: awaiting_decision at interview_kit", out[7]

    # At the gate: a valid InterviewKit for the confirmed job and shortlist, reviewed clean.
    shown = json.loads(out[8])
    assert shown["project"]["current_stage"] == "interview_kit"
    assert shown["project"]["status"] == "awaiting_decision"
    stages = {s["name"]: s for s in shown["stages"]}
    assert list(stages) == PIPELINE
    gate = stages["interview_kit"]
    assert gate["status"] == "awaiting_decision"
    assert gate["review"] is not None and gate["review"]["verdict"] == "pass", gate["review"]
    assert stages["outreach"]["status"] == "pending"
    kit = _output_model(work).model_validate(gate["artifact"])
    job = stages["intake"]["artifact"]
    shortlist = stages["screening"]["artifact"]["candidates"]
    assert kit.job_title == job["title"]
    assert kit.candidates == [c["candidate_id"] for c in sorted(shortlist, key=lambda c: c["rank"])]
    assert [(q.kind, q.requirement) for q in kit.questions] == [
        *(("must_have", r["text"]) for r in job["must_haves"] for _ in range(2)),
        *(("nice_to_have", r["text"]) for r in job["nice_to_haves"]),
    ]

    # Confirming the kit starts outreach; confirming outreach ends the run.
    assert _first_line(out[9]) == f"run {run_id}: awaiting_decision at outreach", out[9]
    assert _first_line(out[10]) == f"run {run_id}: completed at outreach", out[10]
    audit = [
        json.loads(line)
        for line in (tmp_path / "data" / "audit.jsonl").read_text().splitlines()
        if line.strip()
    ]
    confirmed = [
        r.get("stage")
        for r in audit
        if r["kind"] == "human_decision"
        and r.get("run_id") == run_id
        and r["decision"] == "confirm"
    ]
    assert confirmed == PIPELINE, confirmed
