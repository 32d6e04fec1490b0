"""Start, resume and inspect hiring runs: the one entry point the CLI and the server use.

Call ``config.settings.quiet_environment`` before importing this module: it imports crewai.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crewai.flow.async_feedback.types import PendingFeedbackContext
from crewai.flow.persistence.base import FlowPersistence
from crewai.flow.persistence.sqlite import SQLiteFlowPersistence
from crewai_core.printer import set_suppress_console_output
from pydantic import ValidationError

from config.schema import RoleConfig
from config.settings import Settings
from crews.audit import AuditLog, AuditSink, current_run, current_stage, listen_to_crewai
from crews.catalog import check_llm_roles, load_config
from crews.decisions import GateDecision
from crews.errors import GateError, RunNotFoundError
from crews.flow import (
    HiringFlow,
    HiringState,
    Runtime,
    StageStatus,
    edit_ids,
    review_edit,
)
from crews.flow import RunStatus as FlowStatus
from crews.observer import RunObserver, install_stop_hook
from crews.project import ProjectSpec
from crews.stages import CUSTOM_GATE_MESSAGE
from memory.service import MemoryService


def open_runtime(
    settings: Settings,
    *,
    config: RoleConfig | None = None,
    audit: AuditSink | None = None,
    persistence: FlowPersistence | None = None,
    observer: RunObserver | None = None,
) -> Runtime:
    """Load the role configuration and open the audit log, flow persistence and memory.

    The CLI takes the defaults (a JSONL audit file and a SQLite flow store in the data
    directory); the server passes its database-backed ones, its last good configuration and
    an observer that records runs and honours stop requests.

    Raises:
        ConfigError: the role configuration is invalid.
    """
    if config is None:
        config = load_config(settings.config_dir)
    check_llm_roles(config, settings.llm)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    audit = audit if audit is not None else AuditLog(settings.audit_path)
    listen_to_crewai(audit)
    install_stop_hook(observer)
    # Flows print rich panels by default; a server and a JSON CLI need a quiet stdout.
    set_suppress_console_output(True)
    if persistence is None:
        persistence = SQLiteFlowPersistence(str(settings.flows_db_path))
    return Runtime(
        settings=settings,
        config=config,
        audit=audit,
        persistence=persistence,
        memory=open_memory_service(settings),
        observer=observer,
    )


def open_memory_service(settings: Settings) -> MemoryService | None:
    """The recruiter memory of this process (one Mem0 per process), or None when disabled."""
    if settings.memory.backend == "none":
        return None
    from memory.mem0_backend import open_memory  # imports mem0: seconds, so only when used

    backend = open_memory(settings)
    return MemoryService(backend, can_infer=backend.can_infer)


async def start_run(runtime: Runtime, project: ProjectSpec) -> HiringState:
    """Start a hiring run; returns its state at the first gate."""
    flow = HiringFlow(persistence=runtime.persistence).bind(runtime)
    flow.state.project = project
    # Every event of the run, the flow's own included, is filed under the run's id.
    token = current_run.set(flow.state.id)
    try:
        await flow.kickoff_async()
    finally:
        current_run.reset(token)
    return flow.state


@contextmanager
def _claim(runtime: Runtime, flow_id: str) -> Iterator[None]:
    """One decision at a time per run, across processes: the second is refused, not queued."""
    locks = runtime.settings.data_path / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    safe = hashlib.sha256(flow_id.encode()).hexdigest()[:32]
    with (locks / f"{safe}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise GateError(f"run '{flow_id}' is being decided right now; try again") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def get_run(runtime: Runtime, flow_id: str) -> HiringState:
    """The latest persisted state of a run.

    Raises:
        RunNotFoundError: no such run.
    """
    data = runtime.persistence.load_state(flow_id)
    if data is None:
        raise RunNotFoundError(f"no run with id '{flow_id}'")
    return HiringState.model_validate(data)


def check_decision(state: HiringState, decision: GateDecision) -> None:
    """Refuse a decision that does not fit the waiting gate, before it is consumed.

    Raises:
        GateError: with a message saying what would fit.
    """
    name = state.current_stage
    record = state.stages[name]
    if decision.stage is not None and decision.stage != name:
        raise GateError(
            f"this decision is for the {decision.stage} stage, but the run waits at {name}"
        )
    if decision.attempt is not None and decision.attempt != record.attempts:
        raise GateError(
            f"this decision is for attempt {decision.attempt} of {name}, but attempt "
            f"{record.attempts} is waiting: look at it first"
        )
    if decision.votes:
        shown = set(_candidate_ids(state, name, record.artifact))
        unknown = sorted({v.candidate_id for v in decision.votes} - shown)
        if unknown:
            raise GateError(
                f"votes name candidates the {name} output does not show: {', '.join(unknown)}"
            )
    if record.status == StageStatus.FAILED and decision.decision in ("confirm", "edit"):
        raise GateError(
            f"the {name} stage failed ({record.error}); reject it to retry, or stop the run"
        )
    if decision.decision == "confirm" and record.artifact is not None:
        # A custom stage's model may have changed (a plugin upgraded) since the stage ran:
        # what no longer fits it cannot be confirmed; a rejection runs the stage again.
        try:
            state.model_of(name).model_validate(record.artifact)
        except ValidationError as exc:
            raise GateError(
                f"the {name} output no longer fits its model ({exc.error_count()} problem(s)); "
                "reject it to run the stage again, or stop the run"
            ) from exc
    if decision.decision == "edit":
        model = state.model_of(name)
        try:
            model.model_validate(decision.artifact)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
                for err in exc.errors()
            )
            raise GateError(f"the edited {model.__name__} is invalid: {problems}") from exc
        review = review_edit(state, name, model.model_validate(decision.artifact))
        if review.verdict == "fail" and not decision.reason:
            hard = "; ".join(
                f"{f.rule} {f.span or f.where or ''}: {f.message}"
                for f in review.findings
                if f.severity == "hard"
            )
            raise GateError(
                f"the edited {model.__name__} fails the compliance review ({hard}); fix it, "
                "or give a reason to confirm it anyway"
            )


def _candidate_ids(state: HiringState, stage: str, artifact: dict[str, Any] | None) -> list[str]:
    """The candidates a stage output puts in front of the recruiter (who may vote on them)."""
    if artifact is None:
        return []
    try:
        return edit_ids(state.model_of(stage).model_validate(artifact))
    except ValidationError:  # a custom stage's model changed since it ran: nobody shown
        return []


async def decide(runtime: Runtime, flow_id: str, decision: GateDecision) -> HiringState:
    """Apply a human decision to a paused run and carry it to its next gate or its end.

    Raises:
        RunNotFoundError: no run with that id is waiting for a decision.
        GateError: the decision does not fit the gate (checked before anything changes).
    """
    with _claim(runtime, flow_id):
        pending = runtime.persistence.load_pending_feedback(flow_id)
        if pending is None:
            raise RunNotFoundError(f"no run with id '{flow_id}' is waiting for a decision")
        state_data, _context = pending
        check_decision(HiringState.model_validate(state_data), decision)
        try:
            flow = HiringFlow.from_pending(flow_id, runtime.persistence).bind(runtime)
        except ValueError as exc:  # crewai: the pending gate vanished under us
            raise GateError(f"run '{flow_id}' was decided concurrently: {exc}") from exc
        token = current_run.set(flow_id)
        try:
            await flow.resume_async(decision.model_dump_json())
        finally:
            current_run.reset(token)
        return flow.state


def reopen_interrupted(
    runtime: Runtime, flow_id: str, *, stage: str, attempt: int, error: str
) -> HiringState | None:
    """Open the gate of a stage whose worker died mid-way, marked failed, as if the stage had
    raised ``error``: the recruiter rejects it to run it again (from the last confirmed gate:
    everything decided before is in the state) or stops the run.

    The flow saves its state when a stage starts (``run_<stage>``); that checkpoint is the
    starting point. Idempotent: a gate already reopened for this attempt is returned as is.
    Returns None when the flow was not saved mid-way through this attempt (nothing to reopen).

    Raises:
        GateError: the run is being decided right now (try again later).
    """
    with _claim(runtime, flow_id):
        found = _gate_or_saved_state(runtime, flow_id, stage=stage, attempt=attempt)
        if found is None or found[1]:
            return None if found is None else found[0]
        state = found[0]
        if (
            state.status != FlowStatus.RUNNING
            or state.current_stage != stage
            or state.stages[stage].attempts != attempt
        ):
            return None
        record = state.stages[stage]
        record.status = StageStatus.FAILED
        record.error = error
        state.status = FlowStatus.AWAITING_DECISION
        run_token, stage_token = current_run.set(flow_id), current_stage.set(stage)
        try:
            runtime.audit.append("stage_failed", error=error)
        finally:
            current_stage.reset(stage_token)
            current_run.reset(run_token)
        runtime.persistence.save_pending_feedback(flow_id, _gate_context(state, stage), state)
        return state


def reopen_consumed(
    runtime: Runtime, flow_id: str, *, stage: str, attempt: int
) -> HiringState | None:
    """Open again a gate whose decision was taken by a worker that died before the flow saved
    anything after it (between consuming the gate and the next stage's checkpoint).

    The flow's last saved state is then still the paused gate itself; putting the gate back lets
    the decision (kept by the caller) be applied again, so nothing the recruiter decided is lost
    and the run does not start over. Call it only for a gate whose worker is known to be gone:
    a live worker in that window would apply the decision a second time. Idempotent: returns
    the waiting state when that gate is open already.

    Returns:
        The state waiting at the gate, or None when the flow moved past it (or never reached
        it): there is nothing to reopen.

    Raises:
        GateError: the run is being decided right now (try again later).
    """
    with _claim(runtime, flow_id):
        found = _gate_or_saved_state(runtime, flow_id, stage=stage, attempt=attempt)
        if found is None or found[1]:
            return None if found is None else found[0]
        state = found[0]
        record = state.stages[stage]
        if (
            state.status != FlowStatus.AWAITING_DECISION
            or state.current_stage != stage
            or record.attempts != attempt
            or record.status not in (StageStatus.AWAITING_DECISION, StageStatus.FAILED)
        ):
            return None
        runtime.persistence.save_pending_feedback(flow_id, _gate_context(state, stage), state)
        return state


def _gate_or_saved_state(
    runtime: Runtime, flow_id: str, *, stage: str, attempt: int
) -> tuple[HiringState, bool] | None:
    """(the state waiting at this stage's gate, True) when that gate is open; (the last saved
    state, False) when no gate is open; None when another gate waits or nothing was saved."""
    pending = runtime.persistence.load_pending_feedback(flow_id)
    if pending is not None:
        waiting = HiringState.model_validate(pending[0])
        same = waiting.current_stage == stage and waiting.stages[stage].attempts == attempt
        return (waiting, True) if same else None
    data = runtime.persistence.load_state(flow_id)
    return None if data is None else (HiringState.model_validate(data), False)


def _gate_context(state: HiringState, stage: str) -> PendingFeedbackContext:
    """What crewai saves at a stage's gate, for a gate the flow itself never saved."""
    record = state.stages[stage]
    step = state.step(stage)
    return PendingFeedbackContext(
        flow_id=state.id,
        flow_class=f"{HiringFlow.__module__}.{HiringFlow.__qualname__}",
        # The gate method the flow paused in: a stage the pipeline added pauses in gate_custom.
        method_name="gate_custom" if step.custom else f"gate_{stage}",
        method_output={
            "stage": stage,
            "message": step.gate,
            "status": record.status,
            "attempt": record.attempts,
            "review": record.review.model_dump(mode="json") if record.review else None,
            "artifact": record.artifact,
            "error": record.error,
            "memory_ids": record.memory_ids,
        },
        message=CUSTOM_GATE_MESSAGE if step.custom else step.gate,
    )


def summarize(state: HiringState) -> dict[str, Any]:
    """The run as one JSON document: project, status and each stage with its review."""
    project = state.project
    return {
        "project": {
            "id": state.id,
            "title": project.title if project else None,
            "company": project.company if project else None,
            "status": state.status,
            "current_stage": state.current_stage,
        },
        "stages": [
            {
                "name": name,
                "custom": state.step(name).custom,
                "gate": state.step(name).gate,
                "status": record.status,
                "attempts": record.attempts,
                "review_rounds": record.review_rounds,
                "review": (
                    {
                        "verdict": record.review.verdict,
                        "findings": [
                            f.model_dump(mode="json", exclude_none=True)
                            for f in record.review.findings
                        ],
                        "summary": record.review.summary,
                    }
                    if record.review
                    else None
                ),
                "earlier_reviews": [
                    {
                        "verdict": review.verdict,
                        "findings": [
                            f.model_dump(mode="json", exclude_none=True) for f in review.findings
                        ],
                    }
                    for review in record.review_history[:-1]
                ],
                "artifact": record.artifact,
                "error": record.error,
                "memory_ids": record.memory_ids,
                "memories_applied": record.memories_applied,
                "decisions": [d.model_dump(mode="json") for d in record.decisions],
                "usage": record.total_usage.model_dump(mode="json"),
                "fallback": record.fallback,
            }
            for name, record in state.stages.items()
        ],
    }
