"""``hirecrew config history|diff|rollback`` on the server's database, as a user runs them
(a subprocess), and a server that picks up a rollback made from the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from config import DEFAULT_CONFIG_DIR
from tests.cli.support import run_hirecrew
from tests.server.api_support import add_user, api_settings, running_app

AGENTS = (DEFAULT_CONFIG_DIR / "agents.yaml").read_text()
TASKS = (DEFAULT_CONFIG_DIR / "tasks.yaml").read_text()
LEAD_AGENTS = AGENTS.replace("    Hiring Manager\n", "    Hiring Lead\n", 1)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands read the environment: only the data directory each test gives counts."""
    for name in list(os.environ):
        if name.startswith("HIRECREW_"):
            monkeypatch.delenv(name)


def test_history_diff_and_rollback_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = api_settings(data)
    with running_app(settings) as (client, app):
        eddie = add_user(app, "Eddie Editor", role="editor")
        put = client.put(
            "/api/config/agents.yaml",
            json={"content": LEAD_AGENTS, "message": "rename the manager"},
            headers=eddie,
        )
        assert put.status_code == 200 and put.json()["version"] == 2

        listed = run_hirecrew("config", "history", "--json", data_dir=data)
        assert listed.returncode == 0, listed.stderr
        history = json.loads(listed.stdout)
        assert history["latest"] == 2
        assert [v["number"] for v in history["versions"]] == [2, 1]
        assert history["versions"][0]["message"] == "rename the manager"
        assert history["versions"][1]["author"] == "system"
        text = run_hirecrew("config", "history", data_dir=data)
        assert text.returncode == 0 and "rename the manager" in text.stdout
        assert text.stdout.splitlines()[0].startswith("* v2")

        diffed = run_hirecrew("config", "diff", "1", "2", "--json", data_dir=data)
        assert diffed.returncode == 0, diffed.stderr
        diff = json.loads(diffed.stdout)
        assert diff["from"] == 1 and diff["to"] == 2 and diff["changed"] == ["agents.yaml"]
        assert "-    Hiring Manager\n+    Hiring Lead\n" in diff["files"]["agents.yaml"]
        plain = run_hirecrew("config", "diff", "1", data_dir=data)  # to the newest
        assert plain.returncode == 0 and plain.stdout.startswith("--- v1/agents.yaml")

        missing = run_hirecrew("config", "diff", "1", "7", data_dir=data)
        assert missing.returncode == 2 and "no configuration version 7" in missing.stderr
        assert run_hirecrew("config", "diff", "0", data_dir=data).returncode == 2
        nothing = run_hirecrew("config", "rollback", "9", "--json", data_dir=data)
        assert nothing.returncode == 2 and "no configuration version 9" in nothing.stderr

        rolled = run_hirecrew(
            "config", "rollback", "1", "-m", "too soon", "--author", "ops", "--json",
            data_dir=data,
        )  # fmt: skip
        assert rolled.returncode == 0, rolled.stderr
        assert json.loads(rolled.stdout) == {
            "version": 3,
            "restores": 1,
            "parent": 2,
            "changed": ["agents.yaml"],
            "author": "ops",
        }
        assert (data / "config" / "agents.yaml").read_text() == AGENTS

        # The running server picks it up at its next look, without a restart.
        seen = client.get("/api/config", headers=eddie).json()
        assert seen["version"] == 3 and seen["files"]["agents.yaml"] == AGENTS
        assert app.state.ctx.runtime.config.agents["hiring_manager"].role == "Hiring Manager"
        v3 = client.get("/api/config/versions/3", headers=eddie).json()
        assert v3["author"] == "ops" and v3["message"] == "restores version 1: too soon"
        [entry] = [e for e in app.state.ctx.audit.records() if e["kind"] == "config_rolled_back"]
        assert entry["actor"] == "ops" and entry["payload"]["restores"] == 1


def test_a_rollback_the_current_code_refuses_exits_2(tmp_path: Path) -> None:
    from server.config_versions import files_sha256
    from server.db.models import ConfigVersion

    data = tmp_path / "data"
    broken = TASKS.replace("agent: screener", "agent: screenr", 1)
    with running_app(api_settings(data)) as (_client, app):
        files = {"agents.yaml": AGENTS, "tasks.yaml": broken, "crews.yaml": ""}
        files["crews.yaml"] = (DEFAULT_CONFIG_DIR / "crews.yaml").read_text()
        with app.state.ctx.writes() as session:
            session.add(
                ConfigVersion(
                    number=2, parent=1, author="other", message="", sha256=files_sha256(files),
                    agents_yaml=AGENTS, tasks_yaml=broken, crews_yaml=files["crews.yaml"],
                )
            )  # fmt: skip
            session.commit()
    refused = run_hirecrew("config", "rollback", "2", data_dir=data)
    assert refused.returncode == 2
    assert "nothing was changed" in refused.stderr and "unknown agent 'screenr'" in refused.stderr
    assert "tasks.yaml:" in refused.stderr
    history = json.loads(run_hirecrew("config", "history", "--json", data_dir=data).stdout)
    assert history["latest"] == 2
