"""API runs: one attempt of one stage of a project's hiring flow, as rows in the database.

A hiring **flow** (crewai, ``Project.flow_id``) carries a project through its stages; an API
**run** (``Run``) is one attempt of one stage. The rows follow the flow:

- ``start_stage`` (POST runs {stage: intake}) queues the first run and a ``StartJob``.
- ``RunRecorder`` is the flow's observer, called in the worker: a stage that starts takes the
  queued run of that stage (or a new row) to ``running``; a stage that settles stores its
  reviewed output and the memories it used; the run's end sets the project's status.
- ``JobRunner`` executes jobs; once the flow is paused, the gate really is open, so only then
  does the run become ``awaiting_review`` (or ``failed``), and a decision can never race a gate
  that is not saved yet.
- ``decide_run`` (POST decision) validates the decision against the waiting gate, records it,
  settles the run, queues the run the flow will carry on with, and a ``DecideJob``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from crews.decisions import GateDecision
from crews.errors import GateError
from crews.explain import candidate_ids
from crews.flow import HiringState, Runtime, StageStatus, review_edit
from crews.flow import RunStatus as FlowStatus
from crews.runner import (
    check_decision,
    decide,
    reopen_consumed,
    reopen_interrupted,
    start_run,
)
from crews.stages import STAGE_NAMES, pipeline_of
from domain.entities import PipelineStage
from server.auth import Principal
from server.config_versions import LiveConfig
from server.db.models import Application, Artifact, Decision, MemoryRef, Project, Run, User
from server.errors import Conflict, NotFound, Unprocessable
from server.logs import enter_run
from server.outbox import queue_outreach
from server.schemas import (
    ACTIVE,
    ID_MAX_LENGTH,
    DecisionIn,
    DecisionRead,
    ProjectStatus,
    Review,
    RunRead,
    RunStatus,
)
from server.specs import build_spec
from server.workers import DecideJob, StartJob, run_coroutine

log = logging.getLogger(__name__)


def worker_id() -> str:
    """This process, as the ``worker`` of the runs it executes (computed per call: a worker
    process forked after import has a pid of its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


INTAKE = STAGE_NAMES[0]
ACTIVE_VALUES = [s.value for s in ACTIVE]


def _now() -> datetime:
    return datetime.now(UTC)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:4000]


# --- queries -----------------------------------------------------------------------------


def latest_run(session: Session, project_id: str) -> Run | None:
    return session.scalars(
        select(Run).where(Run.project_id == project_id).order_by(Run.created_at.desc()).limit(1)
    ).first()


def _active_run(session: Session, flow_id: str, stage: str) -> Run | None:
    """The queued or running run of a flow's stage, locked for this transaction (PostgreSQL;
    SQLite writers hold the database's write lock anyway), so that settling it and a stop
    requested at the same moment happen one after the other."""
    return session.scalars(
        select(Run)
        .where(Run.flow_id == flow_id, Run.stage == stage, Run.status.in_(ACTIVE_VALUES))
        .order_by(Run.created_at.desc())
        .limit(1)
        .with_for_update()
    ).first()


def pending_state(runtime: Runtime, flow_id: str | None) -> HiringState | None:
    """The flow's state while it waits at a gate; None when it does not wait."""
    if flow_id is None:
        return None
    pending = runtime.persistence.load_pending_feedback(flow_id)
    if pending is None:
        return None
    return HiringState.model_validate(pending[0])


def _waits_at(state: HiringState | None, run: Run) -> bool:
    """Whether the flow waits at the gate of exactly this run (stage and attempt)."""
    return (
        state is not None
        and state.current_stage == run.stage
        and state.stages[run.stage].attempts == run.attempt
    )


# --- the observer --------------------------------------------------------------------------


class RunRecorder:
    """The server's ``crews.observer.RunObserver``: keeps the run rows in step with the flow.

    Called in the worker that runs the flow; it must be quick and must never raise (a failure
    is logged: the flow and its audit trail go on, and the job's end settles the row).
    """

    def __init__(self, sessions: sessionmaker[Session], writes: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._writes = writes

    def stage_started(self, state: HiringState, stage: str) -> None:
        try:
            run_id = self._stage_started(state, stage)
        except Exception:
            log.exception("recording the start of %s in flow %s", stage, state.id)
            return
        if run_id is not None:
            # The stage's log lines (and spans) carry its own run row's id from here on.
            enter_run(run_id)

    def _stage_started(self, state: HiringState, stage: str) -> str | None:
        project_id = state.project.project_id if state.project else None
        if project_id is None:
            return None
        with self._writes() as session:
            project = session.get(Project, project_id)
            if project is None:
                return None
            if project.flow_id != state.id:
                project.flow_id = state.id
            project.status = ProjectStatus.ACTIVE
            run = session.scalars(
                select(Run)
                .where(
                    Run.project_id == project_id,
                    Run.stage == stage,
                    Run.status == RunStatus.QUEUED,
                )
                .order_by(Run.created_at)
                .limit(1)
            ).first()
            if run is None:  # the flow went on by itself (e.g. a decision made elsewhere)
                run = Run(project_id=project_id, stage=stage)
                session.add(run)
            if run.config_version is None:
                run.config_version = _flow_config_version(session, state.id)
            run.flow_id = state.id
            run.attempt = state.stages[stage].attempts
            run.status = RunStatus.RUNNING
            run.worker = worker_id()
            run.heartbeat_at = _now()
            self._record_learned(session, state)
            session.commit()
            return run.id

    def stage_settled(self, state: HiringState, stage: str) -> None:
        try:
            self._stage_settled(state, stage)
        except Exception:
            log.exception("recording the end of %s in flow %s", stage, state.id)

    def _stage_settled(self, state: HiringState, stage: str) -> None:
        record = state.stages[stage]
        with self._writes() as session:
            run = _active_run(session, state.id, stage)
            if run is None:
                return
            run.heartbeat_at = _now()
            if record.status == StageStatus.STOPPED:
                run.status = RunStatus.STOPPED
                run.error = None
            elif record.status == StageStatus.FAILED:
                # Failed, but waiting at its gate (reject retries): the job's end flips it.
                run.error = record.error
            elif record.status == StageStatus.AWAITING_DECISION and record.artifact is not None:
                session.add(
                    Artifact(
                        run_id=run.id,
                        version=_next_version(session, run.id),
                        kind="reviewed",
                        data=record.artifact,
                        review=record.review.model_dump(mode="json") if record.review else None,
                    )
                )
            recruiter = state.project.recruiter.id if state.project else ""
            for relation, ids in (
                ("recalled", record.memory_ids),
                ("applied", record.memories_applied),
            ):
                for memory_id in dict.fromkeys(ids):
                    session.add(
                        MemoryRef(
                            recruiter_id=recruiter,
                            memory_id=memory_id,
                            run_id=run.id,
                            relation=relation,
                        )
                    )
            session.commit()

    def run_ended(self, state: HiringState) -> None:
        try:
            self._run_ended(state)
        except Exception:
            log.exception("recording the end of flow %s", state.id)

    def _run_ended(self, state: HiringState) -> None:
        project_id = state.project.project_id if state.project else None
        with self._writes() as session:
            project = session.get(Project, project_id) if project_id else None
            if project is not None and project.flow_id == state.id:
                project.status = (
                    ProjectStatus.COMPLETED
                    if state.status == FlowStatus.COMPLETED
                    else ProjectStatus.STOPPED
                )
            if state.status == FlowStatus.STOPPED:
                for run in session.scalars(
                    select(Run).where(Run.flow_id == state.id, Run.status.in_(ACTIVE_VALUES))
                ):
                    run.status = RunStatus.STOPPED
            self._record_learned(session, state)
            session.commit()

    def stop_requested(self, flow_id: str) -> bool:
        try:
            with self._sessions() as session:
                return bool(
                    session.scalar(
                        select(
                            exists().where(
                                Run.flow_id == flow_id,
                                Run.stop_requested.is_(True),
                                Run.status.in_(ACTIVE_VALUES),
                            )
                        )
                    )
                )
        except Exception:
            log.exception("reading the stop flag of flow %s", flow_id)
            return False

    def _record_learned(self, session: Session, state: HiringState) -> None:
        """The memories each stage's last decision wrote, filed under the decided run."""
        recruiter = state.project.recruiter.id if state.project else ""
        for name, record in state.stages.items():
            if not record.decisions or not record.decisions[-1].learned_memory_ids:
                continue
            run = session.scalars(
                select(Run)
                .where(
                    Run.flow_id == state.id,
                    Run.stage == name,
                    Run.status.in_([RunStatus.CONFIRMED, RunStatus.REJECTED, RunStatus.STOPPED]),
                )
                .order_by(Run.created_at.desc())
                .limit(1)
            ).first()
            if run is None:
                continue
            known = set(
                session.scalars(
                    select(MemoryRef.memory_id).where(
                        MemoryRef.run_id == run.id, MemoryRef.relation == "learned"
                    )
                )
            )
            for memory_id in dict.fromkeys(record.decisions[-1].learned_memory_ids):
                if memory_id not in known:
                    session.add(
                        MemoryRef(
                            recruiter_id=recruiter,
                            memory_id=memory_id,
                            run_id=run.id,
                            relation="learned",
                        )
                    )


def _flow_config_version(session: Session, flow_id: str) -> int | None:
    """The configuration version a flow started with (recorded on its runs)."""
    return session.scalar(
        select(Run.config_version)
        .where(Run.flow_id == flow_id, Run.config_version.is_not(None))
        .order_by(Run.created_at)
        .limit(1)
    )


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _next_version(session: Session, run_id: str) -> int:
    current = session.scalar(select(func.max(Artifact.version)).where(Artifact.run_id == run_id))
    return (current or 0) + 1


# --- executing jobs ------------------------------------------------------------------------


class JobRunner:
    """Executes a job in this process: what the embedded pool and the Celery task run.

    While a job runs, a ``Heartbeat`` renews its running run's ``heartbeat_at``; a job delivered
    twice (a queue redelivering, a restart re-queuing) does its work once."""

    def __init__(
        self,
        *,
        runtime: Runtime,
        writes: sessionmaker[Session],
        settings: Settings,
        versions: LiveConfig | None = None,
    ) -> None:
        self.runtime = runtime
        self.sessions = writes
        self.settings = settings
        self.versions = versions

    def __call__(self, job: StartJob | DecideJob) -> None:
        beat = Heartbeat(self.sessions, job.project_id, self.settings.heartbeat_s)
        beat.start()
        try:
            # Hot reload: this process follows the newest configuration version (and notices
            # a hand edit on disk) before each job; a new flow starts on it.
            latest = self.versions.refresh() if self.versions is not None else None
            if isinstance(job, StartJob):
                self._start(job, latest)
            else:
                self._decide(job)
        except Exception as exc:
            log.exception("%s job for run %s failed", job.kind, job.run_id)
            self._failed(job, exc)
        finally:
            beat.stop()

    def _runtime_for(self, version: int | None) -> Runtime:
        """The runtime with the role configuration of ``version``: a flow runs every stage on
        the version it started with, whatever was applied since (this process's own for a run
        from before versions)."""
        if version is None or self.versions is None:
            return self.runtime
        return replace(self.runtime, config=self.versions.config_of(version))

    def _start(self, job: StartJob, version: int | None) -> None:
        with self.sessions() as session:
            # Claim the run: a job delivered twice (a restart, a retrying queue) starts once.
            claimed = session.execute(
                update(Run)
                .where(
                    Run.id == job.run_id,
                    Run.status == RunStatus.QUEUED,
                    Run.worker.is_(None),
                )
                .values(worker=worker_id())
            )
            run = session.get(Run, job.run_id)
            project = session.get(Project, job.project_id)
            if not _rowcount(claimed) or run is None or project is None:
                session.rollback()
                return  # started (or settled) already
            if run.stop_requested:
                run.status = RunStatus.STOPPED
                project.status = ProjectStatus.STOPPED
                session.commit()
                return
            owner = session.get(User, project.owner_id)
            if owner is None:
                raise NotFound(f"the owner of project {project.id} no longer exists")
            spec = build_spec(session, self.settings, project, owner, now=_now())
            project.spec = spec.model_dump(mode="json")
            run.config_version = version
            session.commit()
        state = run_coroutine(start_run(self._runtime_for(version), spec))
        self._settle(state)

    def _decide(self, job: DecideJob) -> None:
        if not self._take_follow_up(job):
            log.info("%s job for run %s is being applied by another worker", job.kind, job.run_id)
            return
        decision = GateDecision.model_validate(job.decision)
        waiting = pending_state(self.runtime, job.flow_id)
        if (
            waiting is not None
            and decision.stage is not None
            and decision.attempt is not None
            and (
                waiting.current_stage != decision.stage
                or waiting.stages[decision.stage].attempts != decision.attempt
            )
        ) or (waiting is None and self._consumed(job)):
            # Delivered again (a queue redelivers what a dead worker had taken; a restart
            # re-queues): the flow is past this gate already, so this decision was applied.
            log.info("%s job for run %s was applied already; skipped", job.kind, job.run_id)
            return
        with self.sessions() as session:
            decided = session.get(Run, job.run_id)
            version = decided.config_version if decided is not None else None
        state = run_coroutine(decide(self._runtime_for(version), job.flow_id, decision))
        self._settle(state)

    def _take_follow_up(self, job: DecideJob) -> bool:
        """Take the queued run this decision carries the flow on to (the next stage, or the
        retry of a rejected one), so that its heartbeat shows the decision is being applied:
        between taking the gate and the next stage's first checkpoint, the flow's saved state
        says nothing, and the sweep must tell a live decision from a dead one
        (``_reopen_decided_gate``). False when another live worker holds that run already (the
        same job delivered twice); True when there is no such run (the flow ends there)."""
        cutoff = _now() - timedelta(seconds=self.settings.heartbeat_stale_s)
        with self.sessions() as session:
            decided = session.get(Run, job.run_id)
            if decided is None:
                return True
            follow_up = (
                Run.flow_id == job.flow_id,
                Run.status == RunStatus.QUEUED,
                Run.id != decided.id,
                Run.created_at >= decided.created_at,
            )
            taken = session.execute(
                update(Run)
                .where(
                    *follow_up,
                    or_(
                        Run.worker.is_(None),
                        Run.heartbeat_at.is_(None),
                        Run.heartbeat_at < cutoff,
                    ),
                )
                .values(worker=worker_id(), heartbeat_at=_now(), updated_at=Run.updated_at)
            )
            held = not _rowcount(taken) and bool(session.scalar(select(exists().where(*follow_up))))
            session.commit()
            return not held

    def _consumed(self, job: DecideJob) -> bool:
        """Whether the flow took this decision already: it has a stage started after it."""
        with self.sessions() as session:
            decided = session.get(Run, job.run_id)
            if decided is None:
                return False
            return bool(
                session.scalar(
                    select(
                        exists().where(
                            Run.flow_id == job.flow_id,
                            Run.created_at >= decided.created_at,
                            Run.id != decided.id,
                            Run.status != RunStatus.QUEUED,
                        )
                    )
                )
            )

    def _settle(self, state: HiringState) -> None:
        """The flow returned paused at a gate (now saved): open the run for review, or apply a
        stop that was requested too late for the stage to notice."""
        if state.status != FlowStatus.AWAITING_DECISION:
            return  # ended: the observer recorded it
        stage = state.current_stage
        record = state.stages[stage]
        with self.sessions() as session:
            run = _active_run(session, state.id, stage)
            if run is None:
                return
            run.status = (
                RunStatus.FAILED
                if record.status == StageStatus.FAILED
                else RunStatus.AWAITING_REVIEW
            )
            run.error = record.error
            stop = run.stop_requested
            if stop:
                run.status = RunStatus.STOPPED
            session.commit()
        if stop:
            stopped = GateDecision(
                decision="stop", stage=stage, reason="stop requested while the stage ran"
            )
            run_coroutine(decide(self.runtime, state.id, stopped))

    def _failed(self, job: StartJob | DecideJob, exc: Exception) -> None:
        """Record a job's failure on the project's active runs, so it is never lost; a
        decision that could not be applied is undone, so the gate can be decided again."""
        error = _error_text(exc)
        try:
            with self.sessions() as session:
                undone = isinstance(job, DecideJob) and self._undo_decision(session, job, error)
                for run in session.scalars(
                    select(Run).where(
                        Run.project_id == job.project_id, Run.status.in_(ACTIVE_VALUES)
                    )
                ):
                    run.status = RunStatus.FAILED
                    run.error = (
                        f"the decision on run {job.run_id} could not be applied ({error}); "
                        "that run waits for a decision again"
                        if undone
                        else error
                    )
                session.commit()
            self.runtime.audit.append(
                "worker_failed", run_id=getattr(job, "flow_id", None), job=job.kind, error=error
            )
        except Exception:
            log.exception("recording the failure of the %s job for run %s", job.kind, job.run_id)

    def _undo_decision(self, session: Session, job: DecideJob, error: str) -> bool:
        run = session.get(Run, job.run_id)
        if run is None or not _waits_at(pending_state(self.runtime, job.flow_id), run):
            return False
        decision = session.scalars(select(Decision).where(Decision.run_id == run.id)).first()
        if decision is not None:
            session.delete(decision)
        for artifact in session.scalars(
            select(Artifact).where(Artifact.run_id == run.id, Artifact.kind != "reviewed")
        ):
            session.delete(artifact)
        run.status = RunStatus.FAILED if run.error else RunStatus.AWAITING_REVIEW
        log.warning("decision on run %s undone: %s", run.id, error)
        return True


# --- starting and deciding -----------------------------------------------------------------


def visible_project(session: Session, user: Principal, project_id: str) -> Project:
    """The project, if the caller may see it (admins see all); 404 otherwise."""
    project = session.get(Project, project_id)
    if project is None or not (user.is_admin or project.owner_id == user.id):
        raise NotFound(f"no project with id '{project_id}'")
    return project


def visible_run(session: Session, user: Principal, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run with id '{run_id}'")
    try:
        visible_project(session, user, run.project_id)
    except NotFound as exc:
        raise NotFound(f"no run with id '{run_id}'") from exc
    return run


def _flow_alive(session: Session, runtime: Runtime, project: Project) -> bool:
    """Whether the project's flow can still go on (it is not ended, and not failed outside a
    gate, e.g. by a server that stopped mid-stage)."""
    if project.flow_id is None or project.status != ProjectStatus.ACTIVE:
        return False
    latest = latest_run(session, project.id)
    if latest is None or latest.status != RunStatus.FAILED:
        return True
    return _waits_at(pending_state(runtime, project.flow_id), latest)


def next_step(session: Session, runtime: Runtime, project: Project) -> str:
    """What the project waits for, in words."""
    if project.status == ProjectStatus.COMPLETED:
        return "nothing: every stage is confirmed"
    latest = latest_run(session, project.id)
    if latest is not None and latest.status in ACTIVE:
        return f"the {latest.stage} stage is {latest.status} (run {latest.id})"
    if latest is None or not _flow_alive(session, runtime, project):
        return f"start the flow: POST /api/projects/{project.id}/runs {{'stage': '{INTAKE}'}}"
    if latest.status == RunStatus.FAILED:
        return f"the {latest.stage} stage failed: reject run {latest.id} to retry it, or stop it"
    if latest.status == RunStatus.CONFIRMED:
        # Decided; the worker is closing the flow (or queuing what follows) right now.
        return f"the {latest.stage} output is confirmed (run {latest.id}); the flow is moving on"
    return f"your decision on the {latest.stage} output (run {latest.id})"


def start_stage(
    session: Session, runtime: Runtime, *, project: Project, stage: str
) -> tuple[Run, StartJob]:
    """Queue the first run of a new flow. Only intake starts a flow; every later stage runs
    when the one before it is confirmed, so asking for it is a conflict that says what is next.

    Raises:
        Unprocessable: the project's pipeline has no such stage.
        Conflict: the stage is not the one to start now.
    """
    stages = stage_names(runtime, project)
    if stage not in stages:
        raise Unprocessable(
            f"stage: this project's pipeline has no stage '{stage}' (stages: {', '.join(stages)})"
        )
    latest = latest_run(session, project.id)
    if latest is not None and latest.status in ACTIVE:
        raise Conflict(
            f"the {latest.stage} stage of this project is already {latest.status} "
            f"(run {latest.id}); follow it at GET /api/runs/{latest.id}"
        )
    if project.status == ProjectStatus.COMPLETED:
        raise Conflict("this project is completed: every stage is confirmed; nothing is next")
    if _flow_alive(session, runtime, project):
        assert latest is not None  # an alive flow has a run
        if latest.status == RunStatus.FAILED:
            hint = f"it failed: reject run {latest.id} to retry it, or stop it"
        else:
            hint = f"run {latest.id} awaits your decision"
        raise Conflict(
            f"the {latest.stage} stage comes next, not {stage}, and {hint} "
            f"(POST /api/runs/{latest.id}/decision); after a confirm the flow runs the "
            "next stage by itself"
        )
    if stage != INTAKE:
        raise Conflict(f"a hiring flow starts at {INTAKE}: POST {{'stage': '{INTAKE}'}} first")
    run = Run(project_id=project.id, stage=INTAKE, attempt=1, status=RunStatus.QUEUED)
    session.add(run)
    project.status = ProjectStatus.ACTIVE
    session.flush()
    return run, StartJob(run_id=run.id, project_id=project.id)


def _sha256(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Decided:
    """What a decision request did: the run, the job to queue (if any) and the status code
    (200 decided or repeated, 202 a stop requested on a run still working)."""

    run: Run
    job: DecideJob | None
    status_code: int


def decide_run(
    session: Session, runtime: Runtime, *, run: Run, user: Principal, body: DecisionIn
) -> Decided:
    """Decide on a run waiting for review (or stop one still working).

    Raises:
        Conflict: the run does not wait for this decision, or was decided otherwise.
        Unprocessable: the decision does not fit the gate (an edit that does not validate...).
    """
    session.refresh(run, with_for_update=True)  # one decision (or settle) at a time
    payload = body.model_dump(mode="json")
    digest = _sha256(payload)
    existing = session.scalars(select(Decision).where(Decision.run_id == run.id)).first()
    if existing is not None:
        return _repeat(run, existing, digest)
    if body.action == "stop" and run.status in ACTIVE:
        run.stop_requested = True
        session.add(
            Decision(
                run_id=run.id,
                action="stop",
                payload=payload,
                payload_sha256=digest,
                actor_id=user.id,
            )
        )
        return _commit(session, run, digest, Decided(run, None, 202))
    state = pending_state(runtime, run.flow_id)
    gate_open = _waits_at(state, run)
    if not (
        run.status == RunStatus.AWAITING_REVIEW
        or (run.status == RunStatus.FAILED and gate_open and body.action in ("reject", "stop"))
    ):
        raise Conflict(_not_waiting(run, body.action, gate_open))
    if state is None or not gate_open:
        raise Conflict(
            f"run {run.id} is not waiting at its gate any more (the flow moved on); "
            "reload the project to see where it stands"
        )
    try:
        decision = gate_decision(body, run, actor=user.id)
    except ValidationError as exc:
        raise Unprocessable(
            "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        ) from exc
    try:
        check_decision(state, decision)
    except GateError as exc:
        raise Unprocessable(str(exc)) from exc
    session.add(
        Decision(
            run_id=run.id,
            action=body.action,
            payload=payload,
            payload_sha256=digest,
            actor_id=user.id,
        )
    )
    _apply(session, state, run, decision)
    job = DecideJob(
        run_id=run.id,
        project_id=run.project_id,
        flow_id=state.id,
        decision=decision.model_dump(mode="json"),
    )
    return _commit(session, run, digest, Decided(run, job, 200))


def _apply(session: Session, state: HiringState, run: Run, decision: GateDecision) -> None:
    """Settle the decided run and queue the run the flow carries on with."""
    if decision.decision in ("confirm", "edit"):
        run.status = RunStatus.CONFIRMED
        reviewed = session.scalars(
            select(Artifact).where(Artifact.run_id == run.id).order_by(Artifact.version.desc())
        ).first()
        if decision.decision == "edit":
            edited = state.model_of(run.stage).model_validate(decision.artifact)
            review = review_edit(state, run.stage, edited)
            data, kind = edited.model_dump(mode="json"), "edited"
            review_data: dict[str, Any] | None = review.model_dump(mode="json")
        else:
            data = reviewed.data if reviewed else state.stages[run.stage].artifact or {}
            review_data = reviewed.review if reviewed else None
            kind = "confirmed"
        session.add(
            Artifact(
                run_id=run.id,
                version=_next_version(session, run.id),
                kind=kind,
                data=data,
                review=review_data,
            )
        )
        _advance_applications(session, run, data, decision)
        if run.stage == "outreach":
            # Confirming the outreach stage confirms its messages: they go to the outbox,
            # which sends them (when mail is configured) with their invites.
            project = session.get(Project, run.project_id)
            queue_outreach(
                session,
                owner_id=project.owner_id if project else "",
                project_id=run.project_id,
                run_id=run.id,
                plan=data,
                actor=decision.actor or "",
            )
        following = state.next_stage(run.stage)
        if following is not None:
            session.add(
                Run(
                    project_id=run.project_id,
                    flow_id=run.flow_id,
                    stage=following,
                    attempt=state.stages[following].attempts + 1,
                    status=RunStatus.QUEUED,
                    config_version=run.config_version,
                )
            )
    elif decision.decision == "reject":
        run.status = RunStatus.REJECTED
        session.add(
            Run(
                project_id=run.project_id,
                flow_id=run.flow_id,
                stage=run.stage,
                attempt=run.attempt + 1,
                status=RunStatus.QUEUED,
                config_version=run.config_version,
            )
        )
    else:
        run.status = RunStatus.STOPPED


# What a confirmed (or edited) stage does to the project's applications, and how far along the
# pipeline each stage is: a confirm only ever moves a candidate forward; a candidate rejected
# or hired (by hand) stays where they are.
_PIPELINE_AFTER = {
    "sourcing": PipelineStage.SOURCED,
    "screening": PipelineStage.SHORTLISTED,
    "outreach": PipelineStage.CONTACTED,
}
_PIPELINE_ORDER = (
    PipelineStage.SOURCED,
    PipelineStage.SCREENED,
    PipelineStage.SHORTLISTED,
    PipelineStage.CONTACTED,
    PipelineStage.INTERVIEW_SCHEDULED,
)


def _stage_candidates(stage: str, data: dict[str, Any]) -> list[str]:
    """The candidate ids a confirmed artifact moves along, in order, once each."""
    return [cid for cid in candidate_ids(stage, data) if len(cid) <= ID_MAX_LENGTH]


def pipeline_entry(stage: str, actor: str | None, why: str | None) -> dict[str, Any]:
    """One entry of an application's history."""
    return {"stage": stage, "at": _now().isoformat(), "actor": actor, "why": why}


def _advance_applications(
    session: Session, run: Run, data: dict[str, Any], decision: GateDecision
) -> None:
    """Move the candidates of a confirmed stage along the project's pipeline (same
    transaction as the decision)."""
    target = _PIPELINE_AFTER.get(run.stage)
    ids = _stage_candidates(run.stage, data)
    if target is None or not ids:
        return
    rows = {
        a.candidate_id: a
        for a in session.scalars(
            select(Application)
            .where(Application.project_id == run.project_id)
            .where(Application.candidate_id.in_(ids))
            .with_for_update()
        )
    }
    why = f"{run.stage} {decision.decision} (run {run.id})"
    entry = pipeline_entry(target, decision.actor, why)
    for cid in ids:
        row = rows.get(cid)
        if row is None:
            session.add(
                Application(
                    project_id=run.project_id, candidate_id=cid, stage=target, history=[entry]
                )
            )
            continue
        if row.stage not in _PIPELINE_ORDER:
            continue  # rejected or hired by a person: a confirm does not undo that
        if _PIPELINE_ORDER.index(PipelineStage(row.stage)) >= _PIPELINE_ORDER.index(target):
            continue  # never backwards
        row.stage = target
        row.history = [*(row.history or []), entry]


def _commit(session: Session, run: Run, digest: str, decided: Decided) -> Decided:
    """Commit a decision; if another request decided the run first, answer as a repeat."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalars(select(Decision).where(Decision.run_id == run.id)).first()
        if existing is None:
            raise
        session.refresh(run)
        return _repeat(run, existing, digest)
    return decided


def _repeat(run: Run, existing: Decision, digest: str) -> Decided:
    if existing.payload_sha256 != digest:
        raise Conflict(
            f"run {run.id} was already decided ({existing.action} by {existing.actor_id}); "
            "a different decision is refused"
        )
    code = 202 if existing.action == "stop" and run.status in ACTIVE else 200
    return Decided(run, None, code)


def _not_waiting(run: Run, action: str, gate_open: bool) -> str:
    if run.status in ACTIVE:
        return (
            f"run {run.id} is {run.status}: it does not wait for a decision yet; only stop is "
            "possible now"
        )
    if run.status == RunStatus.FAILED:
        if gate_open:
            return f"run {run.id} failed ({run.error}); reject it to retry, or stop it"
        return f"run {run.id} failed ({run.error}) and waits for nothing; start the flow again"
    return f"run {run.id} is {run.status}; it accepts no {action} now"


# --- reading -------------------------------------------------------------------------------


def run_view(session: Session, runtime: Runtime, run: Run) -> RunRead:
    """The run as the API shows it."""
    artifact = session.scalars(
        select(Artifact).where(Artifact.run_id == run.id).order_by(Artifact.version.desc())
    ).first()
    refs: dict[str, list[str]] = {"recalled": [], "applied": [], "learned": []}
    for ref in session.scalars(
        select(MemoryRef).where(MemoryRef.run_id == run.id).order_by(MemoryRef.id)
    ):
        bucket = refs.setdefault(ref.relation, [])
        if ref.memory_id not in bucket:
            bucket.append(ref.memory_id)
    decision = session.scalars(select(Decision).where(Decision.run_id == run.id)).first()
    status = RunStatus(run.status)
    next_run_id = None
    if decision is not None and status not in ACTIVE:
        next_run_id = session.scalar(
            select(Run.id)
            .where(Run.project_id == run.project_id, Run.created_at > run.created_at)
            .order_by(Run.created_at)
            .limit(1)
        )
    review = artifact.review if artifact is not None else None
    # The flow's saved state, read once: the attempt's model use, cost and what comes next.
    saved = runtime.persistence.load_state(run.flow_id) if run.flow_id else None
    usage, fallback = _model_use(saved, run)
    cost_usd, unpriced_models = _model_cost(saved, run)
    return RunRead(
        id=run.id,
        project_id=run.project_id,
        flow_id=run.flow_id,
        stage=run.stage,
        next_stage=_next_stage_of(runtime, saved, run),
        attempt=run.attempt,
        status=status,
        stop_requested=run.stop_requested,
        error=run.error,
        artifact=artifact.data if artifact is not None else None,
        artifact_kind=artifact.kind if artifact is not None else None,
        review=Review.model_validate(review) if review else None,
        memory_ids=refs["recalled"],
        memories_applied=refs["applied"],
        memories_learned=refs["learned"],
        decision=(
            DecisionRead(
                action=decision.action,  # type: ignore[arg-type]
                comment=decision.payload.get("comment"),
                votes=decision.payload.get("votes") or [],
                actor_id=decision.actor_id,
                at=decision.created_at,
            )
            if decision is not None
            else None
        ),
        actions=_actions(runtime, run, decision),
        next_run_id=next_run_id,
        usage=usage,
        fallback=fallback,
        cost_usd=cost_usd,
        unpriced_models=unpriced_models,
        config_version=run.config_version,
        created_at=run.created_at,
        updated_at=run.updated_at,
    )


def stage_names(runtime: Runtime, project: Project) -> list[str]:
    """A project's stages in order: its flow's own pipeline once the flow started (fixed
    then), else the pipeline of the configuration in force."""
    if project.flow_id is not None:
        names = _flow_stage_names(runtime.persistence.load_state(project.flow_id))
        if names is not None:
            return names
    return [step.name for step in pipeline_of(runtime.config)]


def _flow_stage_names(data: Any) -> list[str] | None:
    """The stage names of a flow's saved state (None: nothing saved yet)."""
    if not isinstance(data, dict):
        return None
    pipeline = data.get("pipeline")
    if not isinstance(pipeline, list):  # saved before pipelines were configurable
        return list(STAGE_NAMES)
    return [str(step["name"]) for step in pipeline if isinstance(step, dict) and "name" in step]


def _next_stage_of(runtime: Runtime, saved: Any, run: Run) -> str | None:
    names = _flow_stage_names(saved) or [step.name for step in pipeline_of(runtime.config)]
    if run.stage not in names:
        return None
    index = names.index(run.stage) + 1
    return names[index] if index < len(names) else None


def _model_cost(data: Any, run: Run) -> tuple[float | None, list[str]]:
    """This attempt's cost in dollars (None: unknown or unrecorded) and its unpriced models."""
    stages = data.get("stages") if isinstance(data, dict) else None
    record = stages.get(run.stage) if isinstance(stages, dict) else None
    if not isinstance(record, dict) or record.get("attempts") != run.attempt:
        return None, []
    usage = record.get("usage")
    if not isinstance(usage, dict):
        return None, []
    cost = usage.get("cost_usd")
    unpriced = usage.get("unpriced_models")
    return (
        float(cost) if isinstance(cost, int | float) else None,
        [str(m) for m in unpriced] if isinstance(unpriced, list) else [],
    )


def _model_use(data: Any, run: Run) -> tuple[dict[str, int] | None, str | None]:
    """This attempt's model usage and fallback, from the flow's saved state (the latest
    attempt of each stage is the one it keeps)."""
    stages = data.get("stages") if isinstance(data, dict) else None
    record = stages.get(run.stage) if isinstance(stages, dict) else None
    if not isinstance(record, dict) or record.get("attempts") != run.attempt:
        return None, None
    usage = record.get("usage")
    counts = (
        {k: int(v) for k, v in usage.items() if isinstance(v, int)}
        if isinstance(usage, dict)
        else None
    )
    fallback = record.get("fallback")
    return counts, fallback if isinstance(fallback, str) else None


def _actions(runtime: Runtime, run: Run, decision: Decision | None) -> list[str]:
    if decision is not None:
        return []
    if run.status in ACTIVE:
        return [] if run.stop_requested else ["stop"]
    if run.status == RunStatus.AWAITING_REVIEW:
        return ["confirm", "edit", "reject", "stop"]
    if run.status == RunStatus.FAILED and _waits_at(pending_state(runtime, run.flow_id), run):
        return ["reject", "stop"]
    return []


# --- recovery ------------------------------------------------------------------------------


def recover(
    writes: sessionmaker[Session],
    runtime: Runtime,
    *,
    stale_after_s: float,
    requeue: bool = True,
    lost_after_s: float | None = None,
) -> list[StartJob | DecideJob]:
    """Find the runs whose worker is gone and put them right; return the jobs to queue again.

    Any number of servers and workers may share the database, so a run counts as dead only
    when it went silent: a running run whose heartbeat (``Run.heartbeat_at``, renewed by the
    worker while the stage runs) is older than ``stale_after_s``, a queued one that can no
    longer start and was not touched for as long. A dead run:

    - that reached its gate before its worker recorded it: opens for review (or failed);
    - cut off mid-stage: its gate opens again, marked failed (``crews.runner.reopen_
      interrupted``), so the recruiter retries the stage by rejecting the run; everything
      confirmed before stays. A flow with no checkpoint of that stage fails; it starts over.

    With ``requeue`` (a server starting), the jobs of queued runs are returned to be queued
    again: a job is idempotent (a start is claimed once, a decision applies to its gate once),
    so one that is also still in a queue runs once. Without it (the periodic sweep), only the
    dead are handled, and the jobs of runs queued longer than ``lost_after_s`` (a broker that
    was down when they were sent) are queued again, each at most once per ``lost_after_s``.
    A decision whose worker died after taking its gate is always queued again (see
    ``_reopen_decided_gate``).
    """
    cutoff = _now() - timedelta(seconds=stale_after_s)
    lost_cutoff = None if lost_after_s is None else _now() - timedelta(seconds=lost_after_s)
    jobs: list[StartJob | DecideJob] = []
    # Runs whose flow must be put right first: done after this transaction, since the flow's
    # persistence writes to the same database (on SQLite, this transaction holds its lock).
    dead: list[tuple[str, str]] = []  # (run id, "interrupted" | "decided")
    with writes() as session:
        active = session.scalars(
            select(Run)
            .where(Run.status.in_(ACTIVE_VALUES))
            .order_by(Run.created_at)
            .with_for_update(skip_locked=True)  # PostgreSQL: one sweeper per run at a time
        ).all()
        for run in active:
            lost = (
                lost_cutoff is not None
                and run.status == RunStatus.QUEUED
                and run.updated_at < lost_cutoff
            )
            fresh = _alive(run, cutoff)
            if lost:
                run.updated_at = _now()  # queued again now: not again before lost_after_s
            again = requeue or lost
            if fresh and not (again and run.status == RunStatus.QUEUED):
                continue
            state = pending_state(runtime, run.flow_id)
            if _waits_at(state, run):
                if fresh:
                    continue  # its worker is settling it right now
                assert state is not None
                record = state.stages[run.stage]
                run.status = (
                    RunStatus.FAILED
                    if record.status == StageStatus.FAILED
                    else RunStatus.AWAITING_REVIEW
                )
                continue
            if run.status == RunStatus.QUEUED and run.flow_id is None:
                if run.worker is not None and fresh:
                    continue  # claimed just now by a live worker
                if again:
                    run.worker = None  # claimed by a worker that stopped before it started
                    jobs.append(StartJob(run_id=run.id, project_id=run.project_id))
                continue
            if run.status == RunStatus.QUEUED and state is not None:
                job = _pending_decision(session, run, state)
                if job is not None:
                    if again:
                        jobs.append(job)
                    continue
            if fresh:
                continue
            gate_taken = run.status == RunStatus.QUEUED and state is None
            dead.append((run.id, "decided" if gate_taken else "interrupted"))
        session.commit()
    for run_id, what in dead:
        if what == "decided":
            job = _reopen_decided_gate(writes, runtime, run_id)
            if job is not None:
                # Always queued: the gate was just opened again, nothing else will apply it.
                jobs.append(job)
                continue
        _interrupt(writes, runtime, run_id)
    return jobs


def _alive(run: Run, cutoff: datetime) -> bool:
    """Whether ``run``'s worker showed a sign of life since ``cutoff``."""
    if run.status == RunStatus.RUNNING:
        return run.heartbeat_at is not None and run.heartbeat_at >= cutoff
    if run.worker is not None and run.heartbeat_at is not None:  # taken by a decision's job
        return run.heartbeat_at >= cutoff
    return run.updated_at >= cutoff


def _reopen_decided_gate(
    writes: sessionmaker[Session], runtime: Runtime, run_id: str
) -> DecideJob | None:
    """For a dead queued run whose flow waits nowhere: the job of the decision that queued it,
    when that decision's worker died after taking the gate but before the flow saved anything
    more (so the flow still stands at that gate). The gate is opened again (``crews.runner.
    reopen_consumed``) and the decision, kept in the database, is applied again. None when the
    flow moved on (or is being decided right now)."""
    with writes() as session:
        run = session.get(Run, run_id)
        if run is None or run.flow_id is None or run.status != RunStatus.QUEUED:
            return None
        decided = session.scalars(
            select(Run)
            .where(
                Run.flow_id == run.flow_id,
                Run.id != run.id,
                Run.created_at <= run.created_at,
                exists().where(Decision.run_id == Run.id),
            )
            .order_by(Run.created_at.desc())
            .limit(1)
        ).first()
        if decided is None:
            return None
        flow_id, stage, attempt, decided_id = (
            run.flow_id,
            decided.stage,
            decided.attempt,
            decided.id,
        )
    try:
        state = reopen_consumed(runtime, flow_id, stage=stage, attempt=attempt)
    except GateError:
        return None
    if state is None:
        return None
    log.warning(
        "the decision on run %s was taken by a worker that stopped before the flow went on: "
        "its gate is open again and the decision is applied again",
        decided_id,
    )
    with writes() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        run.worker, run.heartbeat_at = None, None  # free for the worker the job goes to
        job = _pending_decision(session, run, state)
        session.commit()
        return job


def _interrupt(writes: sessionmaker[Session], runtime: Runtime, run_id: str) -> None:
    """Settle a run whose worker died: failed, at its reopened gate where possible."""
    with writes() as session:
        run = session.get(Run, run_id)
        if run is None or run.status not in ACTIVE:
            return
        since = run.heartbeat_at or run.updated_at
        error = (
            f"interrupted: the worker running this stage ({run.worker or 'unknown'}) stopped "
            f"(no sign of life since {since:%Y-%m-%d %H:%M:%S} UTC)"
        )
        flow_id, stage, attempt = run.flow_id, run.stage, run.attempt
    reopened = None
    if flow_id is not None:
        try:
            reopened = reopen_interrupted(
                runtime, flow_id, stage=stage, attempt=attempt, error=error
            )
        except GateError:
            return  # being decided right now: the next sweep looks again
    with writes() as session:
        run = session.get(Run, run_id)
        if run is None or run.status not in ACTIVE:
            return
        run.status = RunStatus.FAILED
        if reopened is not None:
            run.error = f"{error}; reject this run to retry the {run.stage} stage, or stop it"
        else:
            run.error = f"{error}; start the project again at {INTAKE}"
        log.warning("run %s (%s) %s", run.id, run.stage, run.error)
        session.commit()


class Heartbeat:
    """While a job runs, the project's running run taken by this process marks itself alive
    every ``interval`` seconds (``Run.heartbeat_at``): :func:`recover` reaps a silent one."""

    def __init__(self, writes: sessionmaker[Session], project_id: str, interval: float) -> None:
        self._writes = writes
        self._project_id = project_id
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hirecrew-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.beat()
            except Exception:
                log.warning("heartbeat of project %s failed", self._project_id, exc_info=True)

    def beat(self) -> None:
        with self._writes() as session:
            session.execute(
                update(Run)
                .where(
                    Run.project_id == self._project_id,
                    # Running, or queued and taken by a decision being applied here.
                    Run.status.in_((RunStatus.RUNNING, RunStatus.QUEUED)),
                    Run.worker == worker_id(),
                )
                # A heartbeat is not a change of the run: updated_at stays.
                .values(heartbeat_at=_now(), updated_at=Run.updated_at)
            )
            session.commit()


def _pending_decision(session: Session, run: Run, state: HiringState) -> DecideJob | None:
    """The decision that queued ``run`` but never reached the flow, if the flow still waits."""
    decided = session.scalars(
        select(Run).where(
            Run.flow_id == run.flow_id,
            Run.stage == state.current_stage,
            Run.attempt == state.stages[state.current_stage].attempts,
        )
    ).first()
    if decided is None:
        return None
    decision = session.scalars(select(Decision).where(Decision.run_id == decided.id)).first()
    if decision is None or run.flow_id is None:
        return None
    body = DecisionIn.model_validate(decision.payload)
    gate = gate_decision(body, decided, actor=decision.actor_id)
    return DecideJob(
        run_id=decided.id,
        project_id=run.project_id,
        flow_id=run.flow_id,
        decision=gate.model_dump(mode="json"),
    )


def gate_decision(body: DecisionIn, run: Run, *, actor: str) -> GateDecision:
    """The flow's decision for an API decision on ``run`` (raises ValidationError when the
    payload does not make a valid decision, e.g. an edit without its artifact)."""
    return GateDecision(
        decision=body.action,
        stage=run.stage,
        attempt=run.attempt,
        artifact=body.artifact,
        reason=body.comment,
        actor=actor,
        votes=body.votes,
    )
