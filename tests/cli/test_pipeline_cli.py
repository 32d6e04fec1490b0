"""The pipeline from the command line: `crew list` shows it and which crew runs each stage;
`config validate` names the file, key and line of a bad pipeline entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.support import run_hirecrew
from tests.custom_crews import EXAMPLE, pipeline_config, references_step


@pytest.fixture(autouse=True)
def _plugin_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # The subprocess imports the example's plugin tool and output model from here.
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", f"{EXAMPLE}{os.pathsep}{path}" if path else str(EXAMPLE))


def test_crew_list_shows_the_pipeline_and_its_custom_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = pipeline_config(
        tmp_path / "config", "intake", "sourcing", "screening", references_step(), "outreach"
    )
    monkeypatch.setenv("HIRECREW_CONFIG_DIR", str(config))
    listed = run_hirecrew("crew", "list", "--json", data_dir=tmp_path / "data")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["pipeline"] == ["intake", "sourcing", "screening", "references", "outreach"]
    crews = {c["name"]: c for c in document["crews"]}
    assert crews["reference_check"]["stages"] == ["references"]
    assert crews["screening"]["stages"] == ["screening"]
    assert crews["review"]["stages"] == []

    text = run_hirecrew("crew", "list", data_dir=tmp_path / "data")
    assert text.returncode == 0, text.stderr
    assert "runs the pipeline stage references" in text.stdout
    assert "pipeline: intake -> sourcing -> screening -> references -> outreach" in text.stdout


def test_config_validate_points_at_the_bad_pipeline_entry(tmp_path: Path) -> None:
    config = pipeline_config(tmp_path / "config", "intake", "outreach", "sourcing")
    checked = run_hirecrew("config", "validate", str(config), data_dir=tmp_path / "data")
    assert checked.returncode == 2
    lines = (config / "crews.yaml").read_text().splitlines()
    line = lines.index("  - outreach") + 1
    assert f"crews.yaml:{line}" in checked.stdout + checked.stderr
    assert "pipeline.1" in checked.stdout + checked.stderr
    assert "'sourcing' must come before 'outreach'" in checked.stdout + checked.stderr
