"""Custom crews over REST: GET /api/crews and POST /api/crews/{name}/runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import DEFAULT_CONFIG_DIR
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


CANARY = """\
from pathlib import Path

from crewai.tools import BaseTool
from pydantic import BaseModel

Path(__file__).with_suffix(".imported").write_text("imported")


class Args(BaseModel):
    text: str


class CanaryTool(BaseTool):
    name: str = "canary"
    description: str = "Echoes its text back, to prove the module was imported. Returns JSON."
    args_schema: type[BaseModel] = Args

    def _run(self, text: str) -> str:
        return '{"text": "' + text + '"}'
"""


def test_the_api_adds_module_references_only_to_allowed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming `module:Class` imports the module: an editor may not make the server import
    any module it can reach, only the packages the operator allowed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "canary_tools.py").write_text(CANARY)
    monkeypatch.syspath_prepend(str(site))
    agents = (DEFAULT_CONFIG_DIR / "agents.yaml").read_text() + (
        "\ncanary_agent:\n  role: Canary\n  goal: Echo\n  backstory: Echoes.\n"
        '  tools: ["canary_tools:CanaryTool"]\n'
    )
    marker = site / "canary_tools.imported"
    for allowed, expected in (([], 422), (["canary_tools"], 200)):
        settings = api_settings(tmp_path / f"data-{len(allowed)}")
        settings = settings.model_copy(
            update={"server": settings.server.model_copy(update={"plugin_modules": allowed})}
        )
        with running_app(settings) as (client, app):
            editor = add_user(app, "Eddie Editor", role="editor")
            checked = client.post(
                "/api/config/validate", json={"files": {"agents.yaml": agents}}, headers=editor
            )
            put = client.put("/api/config/agents.yaml", json={"content": agents}, headers=editor)
            assert put.status_code == expected, put.text
            if expected == 422:
                assert checked.json()["valid"] is False
                assert "HIRECREW_SERVER__PLUGIN_MODULES" in put.text
                assert not marker.exists(), "the refused module was imported"
            else:
                assert checked.json()["valid"] is True
                assert marker.exists()


def test_references_hidden_in_prose_or_old_versions_are_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only references a configuration really names count as in force: a comment cannot
    smuggle one in, and a rollback through the API is held to the same rule."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "canary_tools.py").write_text(CANARY)
    monkeypatch.syspath_prepend(str(site))
    bundled = (DEFAULT_CONFIG_DIR / "agents.yaml").read_text()
    with_tool = bundled + (
        "\ncanary_agent:\n  role: Canary\n  goal: Echo\n  backstory: Echoes.\n"
        '  tools: ["canary_tools:CanaryTool"]\n'
    )
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    for name in ("agents.yaml", "tasks.yaml", "crews.yaml"):
        (config_dir / name).write_text((DEFAULT_CONFIG_DIR / name).read_text())
    settings = api_settings(tmp_path / "data").model_copy(update={"config_dir": config_dir})
    with running_app(settings) as (client, app):
        editor = add_user(app, "Eddie Editor", role="editor")

        def put(text: str) -> int:
            answer = client.put("/api/config/agents.yaml", json={"content": text}, headers=editor)
            return answer.status_code

        assert put(bundled + "\n# canary_tools:CanaryTool\n") == 200
        assert put(with_tool) == 422  # the comment did not make it "in force"

        # An operator adds the tool by hand on disk (trusted), an editor removes it...
        (config_dir / "agents.yaml").write_text(with_tool)
        assert client.get("/api/config", headers=editor).json()["version"] == 3
        assert put(bundled) == 200
        # ...and cannot bring it back through the API by rolling back.
        back = client.post("/api/config/rollback", json={"version": 3}, headers=editor)
        assert back.status_code == 422, back.text
        assert "HIRECREW_SERVER__PLUGIN_MODULES" in back.text
