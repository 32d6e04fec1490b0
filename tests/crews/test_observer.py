"""A host follows runs through the observer, and a stop requested mid-stage is honoured: the
model refuses further calls, the stage ends stopped (not failed) and nothing waits at a gate."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from tests.crews.conftest import run


class Recorder:
    def __init__(self, stop_after_start: bool = False, stop_from_ask: int | None = None) -> None:
        self.asked = 0
        self.stop_from_ask = stop_from_ask
        self.events: list[tuple[str, str]] = []
        self.stop_after_start = stop_after_start
        self.stopping: set[str] = set()

    def stage_started(self, state: Any, stage: str) -> None:
        self.events.append(("started", stage))
        if self.stop_after_start:
            self.stopping.add(state.id)

    def stage_settled(self, state: Any, stage: str) -> None:
        self.events.append(("settled", f"{stage}:{state.stages[stage].status}"))

    def run_ended(self, state: Any) -> None:
        self.events.append(("ended", str(state.status)))

    def stop_requested(self, flow_id: str) -> bool:
        self.asked += 1
        if self.stop_from_ask is not None and self.asked >= self.stop_from_ask:
            self.stopping.add(flow_id)
        return flow_id in self.stopping


def test_the_observer_sees_each_stage_start_and_settle(
    settings: Settings, project: Any, confirm: Any
) -> None:
    from crews.runner import open_runtime, start_run

    observer = Recorder()
    runtime = open_runtime(settings, observer=observer)
    state = run(start_run(runtime, project))
    confirm(runtime, state.id, stage="intake")
    assert observer.events[:4] == [
        ("started", "intake"),
        ("settled", "intake:awaiting_decision"),
        ("started", "sourcing"),
        ("settled", "sourcing:awaiting_decision"),
    ]


def test_a_stop_requested_mid_stage_ends_the_run_cleanly(settings: Settings, project: Any) -> None:
    from crews.errors import RunNotFoundError
    from crews.runner import decide, get_run, open_runtime, start_run

    observer = Recorder(stop_after_start=True)
    runtime = open_runtime(settings, observer=observer)
    state = run(start_run(runtime, project))
    assert state.status == "stopped"
    intake = state.stages["intake"]
    assert intake.status == "stopped"
    assert intake.error is None
    assert intake.artifact is None
    assert ("ended", "stopped") in observer.events
    assert get_run(runtime, state.id).status == "stopped"
    # Nothing is left waiting at a gate.
    from crews.decisions import GateDecision

    try:
        run(decide(runtime, state.id, GateDecision(decision="confirm")))
    except RunNotFoundError:
        pass
    else:  # pragma: no cover - the assertion message is the point
        raise AssertionError("a stopped run accepted a decision")


def test_a_stop_during_the_crew_refuses_the_next_model_call(
    settings: Settings, project: Any
) -> None:
    from crews.runner import open_runtime, start_run

    # The first ask is the flow's own check before the crew; the next ones come from the
    # before-LLM hook, inside the running crew.
    observer = Recorder(stop_from_ask=3)
    runtime = open_runtime(settings, observer=observer)
    state = run(start_run(runtime, project))
    assert observer.asked >= 3
    assert state.stages["intake"].status == "stopped"
    assert state.status == "stopped"
