"""A stage crews.yaml's pipeline adds, over REST: listed in the project, run by the worker,
reviewed, decided at its gate like a built-in stage, then the next stage is queued."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.custom_crews import EXAMPLE, pipeline_config, references_step
from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
)

STAGES = ["intake", "sourcing", "screening", "references", "outreach"]


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


def _decide(client: TestClient, headers: Any, run_id: str, **body: Any) -> Any:
    answer = client.post(f"/api/runs/{run_id}/decision", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_custom_stage_runs_between_built_in_ones_over_rest(tmp_path: Path) -> None:
    config_dir = pipeline_config(
        tmp_path / "config", "intake", "sourcing", "screening", references_step(), "outreach"
    )
    settings = api_settings(tmp_path / "data").model_copy(update={"config_dir": config_dir})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        project = new_project(client, dana)
        detail = client.get(f"/api/projects/{project['id']}", headers=dana).json()
        assert detail["stages"] == STAGES

        bad = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "interviews"}, headers=dana
        )
        assert bad.status_code == 422 and "no stage 'interviews'" in bad.json()["detail"]

        run_id = start_intake(client, dana, project["id"])
        for stage, following in itertools.pairwise(STAGES[:4]):
            view = wait_for(client, dana, run_id)
            assert (view["stage"], view["status"]) == (stage, "awaiting_review"), view["error"]
            assert view["next_stage"] == following
            run_id = _decide(client, dana, run_id, action="confirm")["next_run_id"]

        view = wait_for(client, dana, run_id)
        assert view["stage"] == "references" and view["status"] == "awaiting_review"
        assert view["next_stage"] == "outreach"
        assert view["artifact"]["candidate"] == "Priya Raman"
        assert view["review"]["verdict"] == "pass"
        assert set(view["actions"]) == {"confirm", "edit", "reject", "stop"}

        # An edit is validated against the stage's own output model.
        wrong = client.post(
            f"/api/runs/{run_id}/decision",
            json={"action": "edit", "artifact": {**view["artifact"], "recommendation": "yes"}},
            headers=dana,
        )
        assert wrong.status_code == 422 and "ReferenceCheckSummary" in wrong.json()["detail"]

        outreach_id = _decide(client, dana, run_id, action="confirm")["next_run_id"]
        outreach = wait_for(client, dana, outreach_id)
        assert outreach["stage"] == "outreach" and outreach["status"] == "awaiting_review"
        assert outreach["next_stage"] is None

        # The project's stages are its flow's from now on, whatever the configuration says.
        detail = client.get(f"/api/projects/{project['id']}", headers=dana).json()
        assert detail["stages"] == STAGES
        assert [r["stage"] for r in detail["runs"]] == STAGES
