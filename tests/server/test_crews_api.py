"""Custom crews over REST: GET /api/crews and POST /api/crews/{name}/runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.custom_crews import EXAMPLE, REFERENCE_NOTES, example_config
from tests.server.api_support import add_user, api_settings, running_app

INPUTS = {"candidate_name": "Priya Raman", "reference_notes": REFERENCE_NOTES}


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


def test_a_custom_crew_is_listed_and_run_over_rest(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data").model_copy(
        update={"config_dir": example_config(tmp_path / "config")}
    )
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="dana")
        assert client.get("/api/crews").status_code == 401

        crews = client.get("/api/crews", headers=dana).json()
        assert [c["name"] for c in crews][-1] == "reference_check"
        assert crews[-1]["inputs"] == ["candidate_name", "reference_notes"]

        answer = client.post(
            "/api/crews/reference_check/runs", json={"inputs": INPUTS}, headers=dana
        )
        assert answer.status_code == 201, answer.text
        run = answer.json()
        assert run["status"] == "completed"
        assert run["config_version"] == 1  # the version recorded when the server started
        assert run["output"]["shared_strengths"] == ["mentors junior engineers"]
        assert run["usage"]["calls"] >= 2

        records = app.state.ctx.audit.records()
        started = [r for r in records if r["kind"] == "crew_run_started"]
        assert started and started[-1]["actor"] == "dana"
        # The model and tool calls are filed under the crew run's id.
        assert any(r["kind"] == "crewai_event" and r["run_id"] == run["id"] for r in records)

        failed = client.post(
            "/api/crews/reference_check/runs",
            json={"inputs": {**INPUTS, "reference_notes": "no structure"}},
            headers=dana,
        )
        assert failed.status_code == 201 and failed.json()["status"] == "failed"
        assert "no 'Referee:' line" in failed.json()["error"]


def test_bad_crew_requests_are_4xx_with_a_message(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data").model_copy(
        update={"config_dir": example_config(tmp_path / "config")}
    )
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        cases = [
            ("/api/crews/nope/runs", {"inputs": INPUTS}, 404, "custom crews: reference_check"),
            ("/api/crews/screening/runs", {"inputs": {}}, 404, "no custom crew 'screening'"),
            ("/api/crews/reference_check/runs", {"inputs": {}}, 422, "missing inputs"),
            (
                "/api/crews/reference_check/runs",
                {"inputs": {**INPUTS, "extra": "x"}},
                422,
                "does not take extra",
            ),
            (
                "/api/crews/reference_check/runs",
                {"inputs": {"candidate_name": ["a"]}},
                422,
                "inputs.candidate_name",
            ),
            ("/api/crews/Bad-Name/runs", {"inputs": {}}, 422, "name"),
            ("/api/crews/reference_check/runs", {"inputs": {}, "x": 1}, 422, "x"),
        ]
        for path, body, status, message in cases:
            answer = client.post(path, json=body, headers=dana)
            assert answer.status_code == status, (path, body, answer.text)
            assert message in answer.json()["detail"], (path, answer.json())


def test_a_crew_added_by_a_configuration_change_runs_without_a_restart(tmp_path: Path) -> None:
    config_dir = example_config(tmp_path / "config")
    crews_yaml = (config_dir / "crews.yaml").read_text()
    without = crews_yaml[: crews_yaml.index("\nreference_check:")] + "\n"
    (config_dir / "crews.yaml").write_text(without)
    settings = api_settings(tmp_path / "data").model_copy(update={"config_dir": config_dir})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        editor = add_user(app, "Eddie Editor", role="editor")
        body = {"inputs": INPUTS}
        assert (
            client.post("/api/crews/reference_check/runs", json=body, headers=dana).status_code
            == 404
        )

        put = client.put("/api/config/crews.yaml", json={"content": crews_yaml}, headers=editor)
        assert put.status_code == 200, put.text
        answer = client.post("/api/crews/reference_check/runs", json=body, headers=dana)
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "completed"
        assert answer.json()["config_version"] == 2
