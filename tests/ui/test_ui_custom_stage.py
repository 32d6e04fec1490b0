"""A custom stage in the web UI: a crew the team added to the pipeline in crews.yaml
(``pipeline:``) shows in its place on the project page, its review screen renders its output
(any pydantic model's JSON) readably and as text only, its edit is validated by the server, and
confirming it starts the next stage (outreach).

The module runs its own live server (it overrides conftest's ``live_server``, so conftest's
``page`` fixture, with its page-error, CSP and alert() checks, drives this one) on a
configuration of its own: the bundled one plus a tiny plugin crew, ``interview_plan``, written
here into a temporary package on ``sys.path``.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from config import DEFAULT_CONFIG_DIR
from domain.sample_data import SAMPLE_INTAKE_NOTES
from tests.server.api_support import api_settings
from tests.ui.conftest import LiveServer, serving, sign_in

STAGE_TIMEOUT = 90_000  # ms
SETTLED = {"awaiting_review", "confirmed", "rejected", "stopped", "failed"}
HOSTILE = "<img src=x onerror=alert(1)>"
PLUGIN = "ui_custom_stage_plugin"

PLUGIN_SOURCE = '''
"""The UI test's custom stage: an interview plan for the shortlist (no network, no model)."""

from typing import ClassVar

from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class PanelMember(BaseModel):
    name: str
    focus: str


class InterviewPlan(BaseModel):
    role: str
    rounds: int
    focus_areas: list[str]
    panel: list[PanelMember] = Field(min_length=1)
    briefing_note: str


class PlanArgs(BaseModel):
    project_title: str = Field(min_length=1)
    shortlist: str = Field(min_length=1)
    panel_note: str = Field(min_length=1)


class PlanInterviewsTool(BaseTool):
    name: str = "plan_interviews"
    description: str = "Plan the interview rounds for a shortlist. Returns JSON."
    args_schema: type[BaseModel] = PlanArgs
    network: ClassVar[bool] = False

    def _run(self, project_title: str, shortlist: str, panel_note: str) -> str:
        return InterviewPlan(
            role=project_title,
            rounds=2,
            focus_areas=["System design walkthrough", "Payments domain deep dive"],
            panel=[
                PanelMember(name="Priya Natarajan", focus="architecture"),
                PanelMember(name="Tom Berg", focus="code review"),
            ],
            briefing_note=panel_note + "\\nShortlist: " + shortlist,
        ).model_dump_json()
'''

AGENTS = f"""
interview_planner:
  role: Interview Planner
  goal: Plan structured, job-related interview rounds for the shortlisted candidates
  backstory: >
    You plan interviews that test the job's requirements, the same for every candidate.
  tools: ["{PLUGIN}:PlanInterviewsTool"]
"""

TASKS = f"""
plan_interviews_task:
  description: >
    Plan the interviews for {{project_title}}. The shortlist: {{shortlist}}.
    The panel's note: {{panel_note}}
  expected_output: >
    The rounds, the focus areas, the panel and a briefing note.
  agent: interview_planner
  output: "{PLUGIN}:InterviewPlan"
"""

CREWS = f"""
interview_plan:
  description: Plan the interviews for the shortlist
  process: sequential
  agents: [interview_planner]
  tasks: [plan_interviews_task]
  inputs: [project_title, shortlist, panel_note]

pipeline:
  - intake
  - sourcing
  - screening
  - stage: interview_plan
    gate: Review the interview plan before any interview is booked.
    with:
      panel_note: "{HOSTILE}"
  - outreach
"""


def _custom_config(directory: Path) -> Path:
    """The bundled configuration with the interview-plan crew and a five-stage pipeline."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, extra in (("agents.yaml", AGENTS), ("tasks.yaml", TASKS), ("crews.yaml", CREWS)):
        text = (DEFAULT_CONFIG_DIR / name).read_text(encoding="utf-8")
        (directory / name).write_text(text + textwrap.dedent(extra), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's own app (conftest's, on the custom configuration)."""
    import crews.audit
    import crews.observer

    plugins = tmp_path_factory.mktemp("ui-plugins")
    (plugins / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(plugins))
        # crewai's events and the stop hook go to the last runtime opened in the process: give
        # them back to the session's server (if it opened one) when this module's server ends.
        if crews.audit._listening is not None:
            patch.setattr(crews.audit, "_listening", crews.audit._listening)
        patch.setattr(crews.observer, "_observer", crews.observer._observer)
        config_dir = _custom_config(tmp_path_factory.mktemp("ui-custom-config"))
        settings = api_settings(tmp_path_factory.mktemp("ui-custom-data")).model_copy(
            update={"config_dir": config_dir}
        )
        with serving(settings, "hirecrew-ui-custom") as live:
            yield live


def settle(server: LiveServer, run_id: str, timeout: float = 120) -> Any:
    """The run once it settles (awaiting review, decided, stopped or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        run = server.api("GET", f"/runs/{run_id}")
        if run["status"] in SETTLED:
            return run
        assert time.monotonic() < deadline, f"run {run_id} ({run['stage']}) still {run['status']}"
        time.sleep(0.2)


def confirm(server: LiveServer, run_id: str, stage: str) -> str:
    """Wait for ``stage``'s run to await review, confirm it over the API; the next run's id."""
    run = settle(server, run_id)
    assert run["stage"] == stage and run["status"] == "awaiting_review", (
        run["stage"],
        run["status"],
        run.get("error"),
    )
    view = server.api("POST", f"/runs/{run_id}/decision", {"action": "confirm"})
    assert view["next_run_id"], view
    return str(view["next_run_id"])


def test_custom_stage_in_the_pipeline_and_its_review(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server)

    # Create a project: its pipeline (the configuration in force) shows the custom stage.
    page.get_by_label("Title").fill("Payments Backend Engineer")
    page.get_by_label("Intake notes").fill(SAMPLE_INTAKE_NOTES)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Payments Backend Engineer", level=1)).to_be_visible()
    steps = page.get_by_role("list", name="Pipeline stages").get_by_role("listitem")
    expect(steps).to_have_count(5)
    expect(steps.nth(3).get_by_role("heading", level=3)).to_have_text("Interview plan")
    expect(steps.nth(3)).to_contain_text("A stage your team added")
    expect(steps.nth(4).get_by_role("heading", level=3)).to_have_text("Outreach")
    project_id = page.url.rsplit("/", 1)[-1]
    project = live_server.api("GET", f"/projects/{project_id}")
    assert project["stages"] == ["intake", "sourcing", "screening", "interview_plan", "outreach"]

    # Intake, sourcing and screening: confirmed over the API (their screens have their tests).
    run = live_server.api("POST", f"/projects/{project_id}/runs", {"stage": "intake"})
    run_id = confirm(live_server, run["run_id"], "intake")
    run_id = confirm(live_server, run_id, "sourcing")
    screening = settle(live_server, run_id)
    assert screening["next_stage"] == "interview_plan"
    run_id = confirm(live_server, run_id, "screening")
    plan = settle(live_server, run_id)
    assert plan["stage"] == "interview_plan", plan
    assert plan["status"] == "awaiting_review", (plan["status"], plan.get("error"))
    assert plan["next_stage"] == "outreach"

    # The project page: the custom stage, in its place, awaits review.
    page.goto(f"/#/projects/{project_id}")
    page.reload()  # the same address: only a reload draws the page again
    steps = page.get_by_role("list", name="Pipeline stages").get_by_role("listitem")
    expect(steps.nth(3)).to_contain_text("awaiting review", timeout=STAGE_TIMEOUT)
    expect(steps.nth(2)).to_contain_text("confirmed")
    expect(steps.nth(4)).to_contain_text("not started")
    page.get_by_role("link", name="Review interview plan").click()

    # Its review screen: the output as headed sections, definition lists and cards, as text.
    expect(page.get_by_role("heading", name="Interview plan review", level=1)).to_be_visible()
    output = page.get_by_role("region", name="Interview plan output")
    expect(output.get_by_role("heading", name="Focus areas (2)")).to_be_visible()
    expect(
        output.get_by_role("listitem").filter(has_text="System design walkthrough")
    ).to_be_visible()
    expect(output.get_by_role("heading", name="Panel (2)")).to_be_visible()
    card = output.locator(".output-card", has_text="Priya Natarajan")
    expect(card.locator("dt", has_text="Focus")).to_be_visible()
    expect(card.locator("dd", has_text="architecture")).to_be_visible()
    expect(output.locator("dt", has_text="Briefing note")).to_be_visible()
    expect(output.locator("dd", has_text="Payments Backend Engineer").first).to_be_visible()
    # The hostile string in the output is shown as text: no element was made of it.
    expect(output.get_by_text(HOSTILE).first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    expect(page.get_by_role("region", name="Compliance review")).to_contain_text("Verdict")

    # Edit: the JSON editor opens for the custom stage; the server checks it against the model.
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_text("Edit the interview plan output (JSON)")).to_be_visible()
    page.get_by_label("Output", exact=True).fill('{"role": "Payments Backend Engineer"}')
    page.get_by_role("button", name="Save edits and confirm").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Save and confirm", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".alert-error")).to_contain_text("HTTP 422", timeout=STAGE_TIMEOUT)
    assert live_server.api("GET", f"/runs/{run_id}")["status"] == "awaiting_review"
    page.get_by_role("button", name="Cancel editing").click()
    expect(output.get_by_role("heading", name="Panel (2)")).to_be_visible()

    # Confirm through the dialog: it names the next stage, which then starts.
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(dialog).to_contain_text(
        "Confirm the interview plan output? The outreach stage starts right away."
    )
    dialog.get_by_role("button", name="Confirm", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Outreach review"), level=1)
    ).to_be_visible(timeout=STAGE_TIMEOUT)
    decided = live_server.api("GET", f"/runs/{run_id}")
    assert decided["status"] == "confirmed" and decided["next_run_id"], decided
    assert live_server.api("GET", f"/runs/{decided['next_run_id']}")["stage"] == "outreach"

    # Back on the custom stage's run: the decision, and the way on to the next stage.
    page.goto(f"/#/runs/{run_id}")
    expect(page.get_by_text(re.compile(r"Decided: confirm"))).to_be_visible()
    page.get_by_role("link", name="Go to the outreach stage").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Outreach review"), level=1)
    ).to_be_visible()
