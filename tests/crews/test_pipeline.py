"""Pipelines in YAML: crews.yaml's ``pipeline:`` makes a custom crew a gated stage of the flow.

The example custom crew (examples/reference_check) becomes a ``references`` stage between
screening and outreach, its inputs given by ``with:``; it runs on the offline engine like the
built-in stages, with the compliance review and a human gate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from config.errors import ConfigError
from crews.decisions import GateDecision
from crews.errors import GateError
from crews.flow import RunStatus, StageStatus
from tests.crews.conftest import run
from tests.custom_crews import EXAMPLE, pipeline_config, references_step

BUILT_IN = ("intake", "sourcing", "screening", "outreach")
WITH_REFERENCES = ("intake", "sourcing", "screening", references_step(), "outreach")


@pytest.fixture(autouse=True)
def _example_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))


def _load(directory: Path) -> Any:
    from crews.catalog import load_config

    return load_config(directory)


def _start(runtime: Any, project: Any, config: Any) -> Any:
    from crews.runner import start_run

    runtime.config = config
    return run(start_run(runtime, project))


def _decide(runtime: Any, state: Any, decision: str = "confirm", **fields: Any) -> Any:
    from crews.runner import decide

    payload = {"decision": decision, "stage": state.current_stage, **fields}
    return run(decide(runtime, state.id, GateDecision.model_validate(payload)))


def _confirm_until(runtime: Any, state: Any, stage: str) -> Any:
    while state.current_stage != stage:
        assert state.status == RunStatus.AWAITING_DECISION, state.stages[state.current_stage]
        state = _decide(runtime, state)
    return state


# --- configuration ---------------------------------------------------------------------


def test_no_pipeline_key_means_the_four_built_in_stages(tmp_path: Path) -> None:
    from crews.stages import BUILT_IN_PIPELINE, pipeline_of
    from tests.custom_crews import example_config

    config = _load(example_config(tmp_path / "config"))
    assert config.pipeline == ()
    assert [s.name for s in pipeline_of(config)] == list(BUILT_IN)
    assert pipeline_of(config) == BUILT_IN_PIPELINE


def test_a_declared_pipeline_resolves_its_custom_stage(tmp_path: Path) -> None:
    from crews.stages import pipeline_of

    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    steps = pipeline_of(config)
    assert [s.name for s in steps] == ["intake", "sourcing", "screening", "references", "outreach"]
    references = steps[3]
    assert references.custom and references.crew == "reference_check"
    assert references.output == "reference_check.models:ReferenceCheckSummary"
    assert references.gate == "Read what the referees said before anyone is contacted."
    assert references.constants["candidate_name"] == "Priya Raman"
    assert not any(s.custom for s in steps[:3] + steps[4:])


@pytest.mark.parametrize(
    ("entries", "key", "words"),
    [
        (("sourcing", "intake"), "pipeline.0", "starts at intake"),
        (("intake", "screening", "sourcing"), "pipeline.1", "'sourcing' must come before"),
        (("intake", "intake"), "pipeline.1.stage", "listed twice"),
        (
            ("intake", "  - stage: sourcing\n    gate: hello\n"),
            "pipeline.1.gate",
            "only custom stages take crew, gate or with",
        ),
        (("intake", "interviews"), "pipeline.1.stage", "no crew 'interviews'"),
        (
            ("intake", "  - stage: double_check\n    crew: screening\n"),
            "pipeline.1.crew",
            "a crew the flow runs itself",
        ),
        (("intake", "review"), "pipeline.1.stage", "compliance review"),
        (
            ("intake", "  - stage: references\n    crew: reference_check\n"),
            "pipeline.1.crew",
            "takes 'candidate_name', which the flow does not have at this point",
        ),
        (
            ("intake", references_step().replace("    with:\n", "    with:\n      tone: warm\n")),
            "pipeline.1.with.tone",
            "takes no input 'tone'",
        ),
        (("intake", "  - crew: reference_check\n"), "pipeline.1.stage", "required key"),
        (
            ("intake", references_step().replace("    with:\n", "    with:\n      company: X\n")),
            "pipeline.1.with.company",
            "comes from the flow",
        ),
        (
            ("intake", "  - stage: refs\n    crews: reference_check\n"),
            "pipeline.1.crews",
            "unknown",
        ),
        (("intake", f"  - stage: {'a' * 33}\n"), "pipeline.1.stage", "at most 32 characters"),
        (("intake", "  - stage: Bad-Name\n"), "pipeline.1.stage", "snake_case"),
        (("intake", "  - [sourcing]\n"), "pipeline.1", "a name or a mapping"),
    ],
)
def test_a_bad_pipeline_is_refused_naming_file_key_and_line(
    tmp_path: Path, entries: tuple[str, ...], key: str, words: str
) -> None:
    directory = pipeline_config(tmp_path / "config", *entries)
    with pytest.raises(ConfigError) as caught:
        _load(directory)
    issues = [i for i in caught.value.issues if i.key == key]
    assert issues, [(i.key, i.message) for i in caught.value.issues]
    issue = issues[0]
    assert words in issue.message
    assert issue.file is not None and issue.file.name == "crews.yaml"
    # The line points into the pipeline block, at the offending entry.
    lines = (directory / "crews.yaml").read_text().splitlines()
    start = lines.index("pipeline:") + 1
    assert issue.line is not None and issue.line > start, issue


def test_an_untyped_crew_cannot_be_a_stage(tmp_path: Path) -> None:
    directory = pipeline_config(tmp_path / "config", *WITH_REFERENCES)
    tasks = directory / "tasks.yaml"
    typed = '  output: "reference_check.models:ReferenceCheckSummary"\n'
    tasks.write_text(tasks.read_text().replace(typed, ""))
    with pytest.raises(ConfigError) as caught:
        _load(directory)
    assert any(
        i.key == "pipeline.3.crew" and "must be typed" in i.message for i in caught.value.issues
    )


def test_a_pipeline_key_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    from tests.custom_crews import example_config

    directory = example_config(tmp_path / "config")
    crews = directory / "crews.yaml"
    crews.write_text(crews.read_text() + "\npipeline: intake\n")
    with pytest.raises(ConfigError) as caught:
        _load(directory)
    assert [(i.key, i.message) for i in caught.value.issues] == [
        ("pipeline", "expected a list of stages")
    ]


# --- running -----------------------------------------------------------------------------


def test_a_custom_stage_runs_reviewed_and_gated_between_built_in_ones(
    tmp_path: Path, runtime: Any, project: Any
) -> None:
    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    state = _start(runtime, project, config)
    assert list(state.stages) == ["intake", "sourcing", "screening", "references", "outreach"]
    state = _confirm_until(runtime, state, "references")

    record = state.stages["references"]
    assert state.status == RunStatus.AWAITING_DECISION
    assert record.status == StageStatus.AWAITING_DECISION, record.error
    assert record.artifact is not None
    assert record.artifact["candidate"] == "Priya Raman"
    assert record.artifact["shared_strengths"] == ["mentors junior engineers"]
    assert record.review is not None and record.review.verdict == "pass"
    # The reviewer agent ran the generic checks for this stage (not a built-in's rules).
    assert "unusable" not in record.review.summary
    assert state.stages["outreach"].attempts == 0  # nothing goes on without the recruiter

    # A rejection runs the stage again, with the reason.
    state = _decide(runtime, state, "reject", reason="ask the second referee too")
    record = state.stages["references"]
    assert state.current_stage == "references" and record.attempts == 2
    assert record.status == StageStatus.AWAITING_DECISION
    assert record.feedback == "ask the second referee too"

    state = _decide(runtime, state)
    assert state.current_stage == "outreach"
    assert state.stages["references"].status == StageStatus.CONFIRMED
    assert state.stages["outreach"].status == StageStatus.AWAITING_DECISION
    state = _decide(runtime, state)
    assert state.status == RunStatus.COMPLETED

    records = [json.loads(line) for line in runtime.settings.audit_path.read_text().splitlines()]
    started = [r for r in records if r["kind"] == "run_started" and r["run_id"] == state.id]
    assert started[0]["stages"] == list(state.stages)
    decided = [r for r in records if r["kind"] == "human_decision" and r["stage"] == "references"]
    assert [r["decision"] for r in decided] == ["reject", "confirm"]


def test_an_edit_at_a_custom_gate_is_validated_and_reviewed(
    tmp_path: Path, runtime: Any, project: Any
) -> None:
    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    state = _confirm_until(runtime, _start(runtime, project, config), "references")
    artifact = dict(state.stages["references"].artifact)

    with pytest.raises(GateError, match="edited ReferenceCheckSummary is invalid: referees"):
        _decide(runtime, state, "edit", artifact={**artifact, "referees": []})
    # Protected-attribute wording anywhere in the output fails the review (CUS-1) ...
    biased = {**artifact, "concerns": [*artifact["concerns"], "too old for a fast-paced team"]}
    with pytest.raises(GateError, match="fails the compliance review"):
        _decide(runtime, state, "edit", artifact=biased)
    # ... and the gate stays open: a valid edit goes through, reviewed again.
    state = _decide(runtime, state, "edit", artifact={**artifact, "recommendation": "proceed"})
    record = state.stages["references"]
    assert record.edited and record.artifact["recommendation"] == "proceed"
    assert record.review is not None and record.review.summary.startswith("Review of the recr")
    assert state.current_stage == "outreach"


def test_a_run_keeps_the_pipeline_it_started_with(
    tmp_path: Path, runtime: Any, project: Any
) -> None:
    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    state = _start(runtime, project, config)
    # The configuration changes mid-run: the stage is dropped from the pipeline.
    runtime.config = _load(pipeline_config(tmp_path / "plain", *BUILT_IN))
    state = _confirm_until(runtime, state, "references")
    assert state.stages["references"].status == StageStatus.AWAITING_DECISION
    assert state.next_stage("references") == "outreach"


def test_consecutive_custom_stages_and_a_pipeline_that_ends_early(
    tmp_path: Path, runtime: Any, project: Any
) -> None:
    entries = ("intake", references_step("first_refs"), references_step("second_refs"))
    state = _start(runtime, project, _load(pipeline_config(tmp_path / "config", *entries)))
    assert list(state.stages) == ["intake", "first_refs", "second_refs"]
    state = _decide(runtime, state)
    assert state.current_stage == "first_refs"
    state = _decide(runtime, state)
    assert state.current_stage == "second_refs"
    assert state.stages["second_refs"].status == StageStatus.AWAITING_DECISION
    state = _decide(runtime, state)
    assert state.status == RunStatus.COMPLETED
    assert state.stages["first_refs"].status == StageStatus.CONFIRMED


def test_an_earlier_custom_output_is_an_input_of_a_later_stage(tmp_path: Path) -> None:
    from crews.flow import HiringFlow, Runtime, StageRecord
    from crews.stages import pipeline_of
    from tests.custom_crews import example_config

    directory = example_config(tmp_path / "config")
    crews = directory / "crews.yaml"
    crews.write_text(
        crews.read_text()
        + "\nsecond_check:\n  process: sequential\n  agents: [reference_checker]\n"
        "  tasks: [summarize_references_task]\n"
        "  inputs: [candidate_name, reference_notes, first_refs_output]\n"
        "\npipeline:\n  - intake\n"
        + references_step("first_refs")
        + references_step("second_refs", crew="second_check")
    )
    config = _load(directory)
    pipeline = pipeline_of(config)
    assert pipeline[2].inputs == ("candidate_name", "reference_notes", "first_refs_output")

    flow = HiringFlow()
    flow.state.pipeline = list(pipeline)
    flow.state.stages = {step.name: StageRecord() for step in pipeline}
    flow.state.stages["first_refs"].artifact = {"candidate": "Priya Raman", "referees": []}
    flow.state.project = _project(tmp_path)
    flow.bind(Runtime(settings=None, config=config, audit=None, persistence=None))  # type: ignore[arg-type]
    stage = flow._stage("second_refs")
    inputs = flow._inputs(stage, [], [])
    assert set(inputs) == {"candidate_name", "reference_notes", "first_refs_output"}
    assert json.loads(inputs["first_refs_output"]) == {"candidate": "Priya Raman", "referees": []}
    assert inputs["candidate_name"] == "Priya Raman"
    assert "Referee: Dana Smith" in inputs["reference_notes"]


def _project(tmp_path: Path) -> Any:
    from crews.demo import demo_project

    return demo_project(tmp_path / "demo")


def test_a_custom_stage_cut_off_mid_way_reopens_failed_and_retries(
    tmp_path: Path, runtime: Any, project: Any
) -> None:
    from crews.flow import HiringState
    from crews.runner import reopen_interrupted

    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    state = _confirm_until(runtime, _start(runtime, project, config), "references")
    # As a worker killed mid-stage leaves it: the stage's start checkpoint, no open gate.
    runtime.persistence.clear_pending_feedback(state.id)
    saved = HiringState.model_validate(state.model_dump())
    saved.status = RunStatus.RUNNING
    saved.stages["references"].status = StageStatus.PENDING
    runtime.persistence.save_state(state.id, "run_references", saved)

    reopened = reopen_interrupted(
        runtime, state.id, stage="references", attempt=1, error="the worker stopped"
    )
    assert reopened is not None
    assert reopened.stages["references"].status == StageStatus.FAILED
    with pytest.raises(GateError, match="failed"):
        _decide(runtime, reopened)
    retried = _decide(runtime, reopened, "reject", reason="run it again")
    assert retried.current_stage == "references"
    assert retried.stages["references"].attempts == 2
    assert retried.stages["references"].status == StageStatus.AWAITING_DECISION


def test_a_root_model_output_cannot_be_a_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "listed_output.py").write_text(
        "from pydantic import RootModel\n\n\nclass Names(RootModel[list[str]]):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(plugins))
    directory = pipeline_config(tmp_path / "config", *WITH_REFERENCES)
    tasks = directory / "tasks.yaml"
    tasks.write_text(
        tasks.read_text().replace(
            '"reference_check.models:ReferenceCheckSummary"', '"listed_output:Names"'
        )
    )
    with pytest.raises(ConfigError) as caught:
        _load(directory)
    assert any(
        i.key == "pipeline.3.crew" and "is a root model" in i.message for i in caught.value.issues
    )


def test_an_output_that_no_longer_fits_its_model_cannot_be_confirmed_but_can_be_stopped(
    tmp_path: Path, runtime: Any, project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reference_check.models as models

    config = _load(pipeline_config(tmp_path / "config", *WITH_REFERENCES))
    state = _confirm_until(runtime, _start(runtime, project, config), "references")

    # The plugin is upgraded while the run waits: its model now requires a new field.
    class Upgraded(models.ReferenceCheckSummary):
        checked_by: str

    monkeypatch.setattr(models, "ReferenceCheckSummary", Upgraded)
    with pytest.raises(GateError, match="no longer fits its model"):
        _decide(runtime, state)
    # The gate is still open: the run is not stranded, and a stop ends it.
    stopped = _decide(runtime, state, "stop")
    assert stopped.status == RunStatus.STOPPED
    assert stopped.stages["references"].status == StageStatus.STOPPED
