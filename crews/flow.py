"""The hiring flow: its stages, each run by a crew, reviewed, then gated by a human.

    intake -> sourcing -> screening -> outreach -> completed

by default; crews.yaml's ``pipeline:`` may put custom crews between them as stages of their
own (``crews.stages.StageStep``), or end the flow early. The pipeline is fixed when a flow
starts (kept in its state): a configuration edited mid-run never changes a run in progress.

Each stage runs its hierarchical crew, passes the compliance review (deterministic checks and
the reviewer agent; a failing review sends the findings back to the crew, a bounded number of
times), then pauses at a ``@human_feedback`` gate whose provider raises
``HumanFeedbackPending``. The pause is persisted; any process can resume it by flow id with a
``GateDecision``: confirm, edit (with the artifact), reject (with a reason; the stage runs
again) or stop. A stage that fails (a model error, a wrong output type) also stops at its gate,
marked failed, where a rejection retries it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crewai.flow.async_feedback.types import HumanFeedbackPending, PendingFeedbackContext
from crewai.flow.flow import Flow, listen, or_, router, start
from crewai.flow.human_feedback import HumanFeedbackResult, human_feedback
from crewai.flow.persistence.base import FlowPersistence
from pydantic import BaseModel, Field, ValidationError, model_validator

from agents.llms import resolve_model
from agents.metering import CrewMeter, ModelSpend, budget_problem, crew_llms
from agents.schemas import bound_task_outputs
from config.providers import OFFLINE
from config.schema import RoleConfig
from config.settings import LLMSettings, Settings
from crews.assembly import build_crew
from crews.audit import AuditSink, current_run, current_stage
from crews.catalog import crew_kind
from crews.decisions import DecisionRecord, GateDecision
from crews.errors import BudgetExceeded, GateError, StageOutputError, StopRequested
from crews.explain import candidate_entries, candidate_ids
from crews.learning import learn_from_decision, recall_query
from crews.observer import RunObserver
from crews.project import ProjectSpec, index_dir, load_pool
from crews.stages import (
    BUILT_IN_PIPELINE,
    CUSTOM_GATE_MESSAGE,
    REVIEW_CREW,
    STAGE_BY_NAME,
    STAGE_NAMES,
    Stage,
    StageStep,
    next_stage,
    output_key,
    pipeline_of,
    stage_model,
    stage_spec,
    step_of,
)
from domain.artifacts import (
    Finding,
    JobDescription,
    OutreachPlan,
    Review,
    Shortlist,
    SourcingReport,
    verdict_for,
)
from domain.errors import HirecrewError
from domain.review import review_custom_output, run_checks
from memory.base import MemoryRecord
from memory.service import MemoryService
from tools.workspace import Workspace, review_texts


class StageStatus(StrEnum):
    PENDING = "pending"
    AWAITING_DECISION = "awaiting_decision"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    STOPPED = "stopped"


class RunStatus(StrEnum):
    RUNNING = "running"
    AWAITING_DECISION = "awaiting_decision"
    COMPLETED = "completed"
    STOPPED = "stopped"


# Every role on the deterministic engine: the fallback of a stage whose model failed it.
_OFFLINE_LLM = LLMSettings(default="offline")


# Named in ``unpriced_models`` for usage saved before costs were recorded.
UNRECORDED_COST = "(recorded before costs were)"


class Usage(BaseModel):
    """Model usage, as the providers reported it (the offline engine counts its own), and
    its cost at the configured prices (``HIRECREW_LLM__PRICES``)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0
    cost_usd: float | None = Field(
        default=0.0,
        description="US dollars; null when unknown: a model without a price was used "
        "(named in unpriced_models), or the usage was recorded before prices were",
    )
    unpriced_models: list[str] = Field(
        default_factory=list, description="models used without a configured price"
    )

    priced_usd: float = Field(
        default=0.0, description="the part of the cost whose price is known (for budgets)"
    )

    @model_validator(mode="before")
    @classmethod
    def _cost_unknown_when_unrecorded(cls, data: Any) -> Any:
        # Usage saved before costs were recorded: tokens were spent at an unknown price.
        if not isinstance(data, dict):
            return data
        if "cost_usd" not in data and data.get("total_tokens"):
            return {**data, "cost_usd": None, "unpriced_models": [UNRECORDED_COST]}
        if "priced_usd" not in data and data.get("cost_usd") is not None:
            return {**data, "priced_usd": data["cost_usd"]}
        return data

    @property
    def budget_cost_usd(self) -> float | None:
        """The cost a money budget counts: unknown when a model without a price was used,
        but usage from before costs were recorded counts as free (those runs had no money
        budget; refusing them would stop every run paused at a gate across an upgrade)."""
        if self.cost_usd is not None:
            return self.cost_usd
        if set(self.unpriced_models) <= {UNRECORDED_COST}:
            return self.priced_usd
        return None

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.total_tokens += other.total_tokens
        self.calls += other.calls
        self.cost_usd = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else round(self.cost_usd + other.cost_usd, 10)
        )
        self.priced_usd = round(self.priced_usd + other.priced_usd, 10)
        self.unpriced_models += [m for m in other.unpriced_models if m not in self.unpriced_models]

    @classmethod
    def of(cls, spend: list[ModelSpend]) -> Usage:
        """The usage of a crew, from what each of its models spent."""
        usage = cls()
        for row in spend:
            usage.add(
                cls(
                    prompt_tokens=row.prompt_tokens,
                    completion_tokens=row.completion_tokens,
                    total_tokens=row.total_tokens,
                    calls=row.calls,
                    cost_usd=row.cost_usd,
                    priced_usd=row.cost_usd or 0.0,
                    unpriced_models=[row.model] if row.cost_usd is None else [],
                )
            )
        return usage


class StageRecord(BaseModel):
    """Where one stage stands, what it produced and what the human decided."""

    status: StageStatus = StageStatus.PENDING
    attempts: int = 0
    review_rounds: int = 0
    artifact: dict[str, Any] | None = None
    review: Review | None = None
    review_history: list[Review] = Field(
        default_factory=list, description="every review round of the last attempt, in order"
    )
    error: str | None = None
    feedback: str | None = Field(default=None, description="reason of the last rejection")
    edited: bool = False
    decisions: list[DecisionRecord] = Field(default_factory=list)
    memory_ids: list[str] = Field(
        default_factory=list,
        description="the recruiter's memories given to this stage's last attempt",
    )
    memories_applied: list[str] = Field(
        default_factory=list, description="of those, the ones a tool applied to the output"
    )
    usage: Usage = Field(
        default_factory=lambda: Usage(), description="model tokens, calls and cost, this attempt"
    )
    total_usage: Usage = Field(
        default_factory=lambda: Usage(),
        description="model tokens, calls and cost of every attempt of this stage",
    )
    fallback: str | None = Field(
        default=None,
        description="why the deterministic engine produced this output instead of the model",
    )


class HiringState(BaseModel):
    """The persisted state of one hiring run (its id is the flow id)."""

    id: str = ""
    project: ProjectSpec | None = None
    status: RunStatus = RunStatus.RUNNING
    current_stage: str = STAGE_NAMES[0]
    stages: dict[str, StageRecord] = Field(
        default_factory=lambda: {name: StageRecord() for name in STAGE_NAMES}
    )
    usage: Usage = Field(default_factory=lambda: Usage(), description="the whole run's usage")
    pipeline: list[StageStep] = Field(
        default_factory=lambda: list(BUILT_IN_PIPELINE),
        description="the stages this run goes through, in order (fixed when it starts)",
    )

    def step(self, name: str) -> StageStep:
        """A stage of this run's pipeline.

        Raises:
            GateError: this run has no such stage.
        """
        try:
            return step_of(self.pipeline, name)
        except KeyError:
            raise GateError(f"this run has no stage '{name}'") from None

    def model_of(self, name: str) -> type[BaseModel]:
        """The model a stage's output, and a recruiter's edit of it, validates against.

        Raises:
            GateError: no such stage, or its model can no longer be imported.
        """
        try:
            return stage_model(self.step(name))
        except HirecrewError as exc:
            raise GateError(f"the {name} stage's output model is unavailable: {exc}") from exc

    def next_stage(self, name: str) -> str | None:
        """The stage a confirmation of ``name`` starts (None: the run completes)."""
        return next_stage(self.pipeline, name)


@dataclass
class Runtime:
    """What a flow needs from its process: settings, role config, audit and persistence."""

    settings: Settings
    config: RoleConfig
    audit: AuditSink
    persistence: FlowPersistence
    memory: MemoryService | None = None
    observer: RunObserver | None = None


class PendingGate:
    """A feedback provider that never blocks: it pauses the flow until a decision arrives."""

    def request_feedback(self, context: PendingFeedbackContext, flow: Any) -> str:
        state = getattr(flow, "state", None)
        if isinstance(state, HiringState) and state.stages[state.current_stage].status == (
            StageStatus.STOPPED
        ):
            # Stopped mid-stage: nothing to decide, the run ends here.
            return GateDecision(
                decision="stop", actor="system", reason="stop requested during the stage"
            ).model_dump_json()
        raise HumanFeedbackPending(
            context=context,
            callback_info={"flow_id": context.flow_id, "gate": context.method_name},
        )


GATE = PendingGate()


def _findings_block(findings: list[Finding]) -> str:
    payload = json.dumps([f.model_dump(mode="json", exclude_none=True) for f in findings])
    return f"<review_findings>{payload}</review_findings>"


def _confirmed(state: HiringState, name: str, model: type[Any]) -> Any:
    # A pipeline may leave a built-in stage out: then it has no output.
    record = state.stages.get(name)
    if record is None or record.artifact is None:
        return None
    return model.model_validate(record.artifact)


def _validated(model: type[BaseModel] | None, data: dict[str, Any] | None) -> BaseModel | None:
    """``data`` as ``model``, or None: no model, no data, or data the model no longer fits
    (a custom stage's model changed since it ran: learning skips it; check_decision has
    refused a confirmation of it already)."""
    if model is None or data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def edit_ids(artifact: BaseModel) -> list[str]:
    """The candidates a stage output names (its sourced, shortlisted or contacted people)."""
    if isinstance(artifact, SourcingReport):
        return [c.candidate_id for c in artifact.results.candidates]
    if isinstance(artifact, Shortlist):
        return [c.candidate_id for c in artifact.candidates]
    if isinstance(artifact, OutreachPlan):
        ids = [m.candidate_id for m in artifact.messages]
        return ids + [s.candidate_id for s in artifact.slots]
    return []


def deterministic_review(
    step: StageStep, artifact: BaseModel, resumes: dict[str, str], intake_notes: str
) -> Review:
    """The code's checks of a stage output: the built-in stage's rules, or, for a custom
    stage, protected-attribute wording anywhere in its texts."""
    if step.custom:
        return review_custom_output(step.name, artifact)
    return run_checks(step.name, artifact, resumes=resumes, intake_notes=intake_notes)


def review_edit(state: HiringState, name: str, artifact: BaseModel) -> Review:
    """The deterministic review of a recruiter's edit, plus checks that it names only people
    the earlier confirmed stages put in front of the recruiter."""
    if state.project is None:
        raise GateError("this run has no project")
    pool = load_pool(state.project.pool_path)
    checked = deterministic_review(
        state.step(name),
        artifact,
        review_texts(artifact, pool),
        state.project.intake_notes,
    )
    allowed: set[str] | None = None
    if name == "sourcing":
        allowed = {c.id for c in pool}
    elif name == "screening" and (src := _confirmed(state, "sourcing", SourcingReport)):
        allowed = {c.candidate_id for c in src.results.candidates}
    elif name == "outreach" and (short := _confirmed(state, "screening", Shortlist)):
        allowed = {c.candidate_id for c in short.candidates}
    findings = list(checked.findings)
    if allowed is not None:
        findings += [
            Finding(
                rule="EDIT-1",
                severity="hard",
                message=f"'{cid}' is not among the candidates the earlier stage confirmed",
                where=cid,
            )
            for cid in dict.fromkeys(edit_ids(artifact))
            if cid not in allowed
        ]
    return Review(
        verdict=verdict_for(findings),
        findings=findings,
        summary=f"Review of the recruiter's edit: {checked.summary}",
    )


class HiringFlow(Flow[HiringState]):
    """The hiring pipeline with a compliance review and a human gate after every stage."""

    _skip_auto_memory = True  # hirecrew's memory is Mem0 per recruiter, not crewai's

    def bind(self, runtime: Runtime) -> HiringFlow:
        """Attach this process's runtime; required before kickoff or resume."""
        self._runtime = runtime
        return self

    # --- stage machinery --------------------------------------------------------------

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime | None = getattr(self, "_runtime", None)
        if runtime is None:
            raise RuntimeError("HiringFlow.bind(runtime) must be called before running")
        return runtime

    @property
    def project(self) -> ProjectSpec:
        if self.state.project is None:
            raise GateError("this run has no project")
        return self.state.project

    def _artifact(self, name: str, model: type[BaseModel]) -> Any:
        return _confirmed(self.state, name, model)

    def _workspace(
        self,
        stage: str,
        previous: BaseModel | None,
        findings: list[Finding],
        memories: list[MemoryRecord],
    ) -> Workspace:
        project = self.project
        return Workspace(
            stage=stage,
            recruiter=project.recruiter,
            company=project.company,
            intake_notes=project.intake_notes,
            pool=load_pool(project.pool_path),
            interviewers=project.interviewers,
            schedule_start=project.schedule_start,
            preferences=list(project.preferences),
            job=self._artifact("intake", JobDescription),
            sourcing=self._artifact("sourcing", SourcingReport),
            shortlist=self._artifact("screening", Shortlist),
            previous_draft=previous,
            review_findings=findings,
            outreach_count=project.outreach_count,
            screen_top=self.runtime.settings.screen_top,
            index_dir=index_dir(self.runtime.settings.cache_path, project.pool_path),
            memories=memories,
            memory=self.runtime.memory,
            custom_stage=self.state.step(stage).custom,
        )

    def _recall(self, stage: Stage) -> list[MemoryRecord]:
        """The recruiter's preferences and the notes most related to this stage and job.

        Memory informs a stage; it must never stop one: a failing store is audited and the
        stage runs without it.
        """
        service = self.runtime.memory
        if service is None:
            return []
        job = self._artifact("intake", JobDescription)
        must = [r.text for r in job.must_haves] if job else []
        try:
            return service.recall(
                self.project.recruiter.id,
                recall_query(stage.name, self.project.title, must),
                limit=self.runtime.settings.memory.recall_limit,
            )
        except HirecrewError as exc:
            self.runtime.audit.append("memory_unavailable", error=str(exc))
            return []

    def _inputs(
        self, stage: Stage, findings: list[Finding], memories: list[MemoryRecord]
    ) -> dict[str, str]:
        project = self.project
        record = self.state.stages[stage.name]
        values: dict[str, str] = {
            "recruiter_memories": "; ".join(f"[{m.id}] {m.text}" for m in memories) or "none yet",
            "project_title": project.title,
            "company": project.company,
            "recruiter_name": project.recruiter.name,
            "recruiter_preferences": "; ".join(project.preferences) or "none stated",
            "recruiter_feedback": record.feedback or "none",
            "review_findings": _findings_block(findings),
            "intake_notes": project.intake_notes,
        }
        job = self._artifact("intake", JobDescription)
        if job is not None:
            values["job_description"] = job.model_dump_json()
        sourcing = self._artifact("sourcing", SourcingReport)
        if sourcing is not None:
            values["sourced_candidates"] = ", ".join(
                f"{c.candidate_id} ({', '.join(c.matched_skills) or 'no skill match'})"
                for c in sourcing.results.candidates
            )
        shortlist = self._artifact("screening", Shortlist)
        if shortlist is not None:
            values["shortlist"] = "; ".join(
                f"#{c.rank} {c.candidate_id} score {c.score} "
                f"({c.must_haves_met}/{c.must_haves_total} must-haves)"
                for c in shortlist.candidates
            )
        step = self.state.step(stage.name)
        if step.custom:
            # What the earlier custom stages confirmed, then the pipeline's own values.
            for earlier in self.state.pipeline:
                artifact = self.state.stages[earlier.name].artifact
                if earlier.custom and earlier.name != stage.name and artifact is not None:
                    values[output_key(earlier.name)] = json.dumps(artifact)
            values.update(step.constants)
        return {name: values[name] for name in stage.inputs if name in values}

    def _kickoff(
        self,
        crew_name: str,
        workspace: Workspace,
        inputs: dict[str, str],
        *,
        llm_settings: LLMSettings | None = None,
    ) -> Any:
        """Run one crew, counting what its models spent against the run's budget: checked
        before the crew and before each of its model calls (``agents.metering``)."""
        runtime = self.runtime
        # Prices and budgets are the run's, whichever engine this crew runs on.
        run_llm = runtime.settings.llm
        usage = self.state.usage
        if problem := budget_problem(run_llm, usage.total_tokens, usage.budget_cost_usd):
            raise BudgetExceeded(f"{problem}: stopped before the next crew")
        # A custom crew (a stage the pipeline added) has plugin tools only: no workspace, and
        # its inputs for the offline engine to fill their arguments by name.
        custom = crew_kind(crew_name) == "custom"
        crew = build_crew(
            runtime.config,
            crew_name,
            workspace=None if custom else workspace,
            llm_settings=llm_settings or runtime.settings.llm,
            inputs=inputs if custom else None,
        )
        # What the models are asked for carries maxLength/maxItems everywhere (the grammar of a
        # local server ends each value instead of running to max_tokens).
        bound_task_outputs(crew)
        meter = CrewMeter(
            crew_llms(crew),
            settings=run_llm,
            run_tokens=usage.total_tokens,
            run_cost_usd=usage.budget_cost_usd,
        )
        try:
            with meter.enforcing():
                output = crew.kickoff(inputs=inputs)
        except Exception as exc:
            self._account(crew_name, meter)  # a failed crew's calls were spent all the same
            if meter.exceeded is not None:
                raise BudgetExceeded(meter.exceeded) from exc
            raise
        self._account(crew_name, meter)
        return output

    def _account(self, crew_name: str, meter: CrewMeter) -> None:
        """Add what the crew's models spent to the attempt, the stage and the run, and put it
        in the audit log with its cost per model."""
        spend = meter.spend()
        spent = Usage.of(spend)
        self.state.usage.add(spent)
        stage = current_stage.get()
        record = self.state.stages.get(stage) if stage else None
        if record is not None:
            record.usage.add(spent)
            record.total_usage.add(spent)
        if spend:
            self.runtime.audit.append(
                "model_usage",
                crew=crew_name,
                attempt=record.attempts if record is not None else None,
                by_model=[
                    {
                        "model": row.model,
                        "calls": row.calls,
                        "prompt_tokens": row.prompt_tokens,
                        "completion_tokens": row.completion_tokens,
                        "total_tokens": row.total_tokens,
                        "cost_usd": row.cost_usd,
                    }
                    for row in spend
                ],
                usage=spent.model_dump(mode="json"),
                attempt_usage=record.usage.model_dump(mode="json") if record else None,
                run_usage=self.state.usage.model_dump(mode="json"),
            )

    def _produce(self, stage: Stage, workspace: Workspace, findings: list[Finding]) -> BaseModel:
        """The stage crew's output, asked again when it is not a valid ``stage.output`` (the
        next try hears what was wrong), then, if the model never gets there, the deterministic
        engine's (``HIRECREW_LLM__FALLBACK``), marked as such."""
        inputs = self._inputs(stage, findings, workspace.memories)
        settings = self.runtime.settings.llm
        problem = ""
        for attempt in range(1, settings.stage_attempts + 1):
            try:
                output = self._kickoff(stage.crew, workspace, inputs)
                return self._parse(stage, output)
            except (StopRequested, BudgetExceeded):
                raise
            except Exception as exc:  # a model error, a timeout, an unusable output
                problem = f"{type(exc).__name__}: {str(exc)[:500]}"
                self.runtime.audit.append("stage_output_invalid", attempt=attempt, error=problem)
                # The next try hears what was wrong, where the task reads its review notes.
                note = (
                    f"Your previous answer was not usable ({problem}). Answer with a valid "
                    f"{stage.output.__name__} only."
                )
                for key in ("review_findings", "recruiter_feedback"):
                    if key in inputs:
                        inputs = {**inputs, key: f"{inputs[key]}\n{note}"}
                        break
        if settings.fallback != "offline" or not self._uses_models(stage.crew):
            raise StageOutputError(
                f"the {stage.name} crew gave no valid {stage.output.__name__} in "
                f"{settings.stage_attempts} tries: {problem}"
            )
        reason = (
            f"the model gave no valid {stage.output.__name__} in {settings.stage_attempts} "
            f"tries ({problem}); produced by the deterministic engine instead"
        )
        self.state.stages[stage.name].fallback = reason
        self.runtime.audit.append("stage_fallback", reason=reason)
        output = self._kickoff(stage.crew, workspace, inputs, llm_settings=_OFFLINE_LLM)
        return self._parse(stage, output)

    def _parse(self, stage: Stage, output: Any) -> BaseModel:
        if isinstance(output.pydantic, stage.output):
            return output.pydantic
        try:
            return stage.output.model_validate_json(output.raw)
        except ValidationError as exc:
            raise StageOutputError(
                f"the {stage.name} crew did not return a {stage.output.__name__}: "
                f"{output.raw[:300]!r}"
            ) from exc

    def _uses_models(self, crew_name: str) -> bool:
        """Whether any agent of the crew runs on a model (not the offline engine)."""
        spec = self.runtime.config.crews[crew_name]
        keys = [*spec.agents, *([spec.manager] if spec.manager else [])]
        return any(
            resolve_model(key, self.runtime.config.agents[key].llm, self.runtime.settings.llm)
            != OFFLINE
            for key in keys
        )

    def _review(self, stage: Stage, artifact: BaseModel, workspace: Workspace) -> Review:
        """Deterministic checks, then the reviewer agent; the code has the last word."""
        checked = deterministic_review(
            self.state.step(stage.name),
            artifact,
            review_texts(artifact, workspace.pool),
            workspace.intake_notes,
        )
        workspace.artifact_under_review = artifact
        try:
            output = self._kickoff(
                REVIEW_CREW,
                workspace,
                {
                    "project_title": self.project.title,
                    "stage": stage.name,
                    "artifact": artifact.model_dump_json(),
                },
            )
            agent_review = (
                output.pydantic
                if isinstance(output.pydantic, Review)
                else Review.model_validate_json(output.raw)
            )
        except (StopRequested, BudgetExceeded):
            raise
        except Exception as exc:  # the model failed, timed out or answered unusably
            # The reviewer agent only adds judgement: without a usable answer, the
            # deterministic checks stand alone, and the trail says so.
            self.runtime.audit.append(
                "review_fallback",
                error=f"the reviewer gave no usable Review: {type(exc).__name__}: {exc}"[:1000],
            )
            agent_review = Review(
                verdict=checked.verdict,
                findings=[],
                summary=f"{checked.summary} (the reviewer agent's answer was unusable: "
                "deterministic checks only)",
            )
        findings = list(checked.findings)
        seen = {(f.rule, f.span, f.where) for f in findings}
        findings += [f for f in agent_review.findings if (f.rule, f.span, f.where) not in seen]
        # The agent may add findings or explain, never overrule a deterministic hard finding.
        return Review(
            verdict=max(
                verdict_for(findings), agent_review.verdict, key=["pass", "warn", "fail"].index
            ),
            findings=findings,
            summary=agent_review.summary or checked.summary,
        )

    def _stage(self, name: str) -> Stage:
        """What runs a stage of this run's pipeline (a custom one's crew, output, inputs)."""
        try:
            return stage_spec(self.state.step(name))
        except HirecrewError as exc:  # a custom output model that no longer imports
            raise StageOutputError(f"the {name} stage cannot run: {exc}") from exc

    def _run_stage(self, name: str) -> None:
        record = self.state.stages[name]
        record.attempts += 1
        record.error = None
        record.review_rounds = 0
        record.review_history = []
        record.usage = Usage()  # per attempt (the run's total keeps every attempt's)
        record.fallback = None
        self.state.current_stage = name
        self.state.status = RunStatus.RUNNING
        # Saved before any work: a worker killed mid-stage leaves this checkpoint, from which
        # crews.runner.reopen_interrupted opens the stage's gate again (failed, to retry).
        self._checkpoint(f"run_{name}")
        run_token = current_run.set(self.state.id)
        stage_token = current_stage.set(name)
        audit = self.runtime.audit
        previous: BaseModel | None = None
        findings: list[Finding] = []
        observer = self.runtime.observer
        try:
            audit.append("stage_started", attempt=record.attempts)
            if observer is not None:
                observer.stage_started(self.state, name)
            stage = self._stage(name)
            memories = self._recall(stage)
            record.memory_ids = [m.id for m in memories]
            record.memories_applied = []
            if memories:
                audit.append("memories_recalled", memory_ids=record.memory_ids)
            for _ in range(self.runtime.settings.max_review_rounds + 1):
                self._check_stop()
                workspace = self._workspace(name, previous, findings, memories)
                artifact = self._produce(stage, workspace, findings)
                review = self._review(stage, artifact, workspace)
                record.review_rounds += 1
                record.review_history.append(review)
                audit.append(
                    "stage_reviewed",
                    round=record.review_rounds,
                    verdict=review.verdict,
                    findings=[f.model_dump(mode="json") for f in review.findings],
                )
                previous, findings = artifact, review.findings
                # A revision builds on the earlier round's output: what shaped that shapes it.
                record.memories_applied += [
                    i for i in workspace.applied_memory_ids if i not in record.memories_applied
                ]
                if review.verdict != "fail":
                    break
            record.artifact = artifact.model_dump(mode="json")
            record.review = review
            record.status = StageStatus.AWAITING_DECISION
            for entry in candidate_entries(name, record.artifact, review):
                # One entry per candidate: why each was found, ranked, contacted, rebuilt
                # from the trail alone (``hirecrew audit explain``), and erasable one by one.
                audit.append("candidate_assessed", attempt=record.attempts, **entry)
        # A stage must never take the run down with it: whatever a model or tool raised, the
        # run waits at this gate, marked failed, where the recruiter can retry or stop.
        except Exception as exc:
            if isinstance(exc, StopRequested) or self._stop_was_requested():
                record.status = StageStatus.STOPPED
                # A recruiter's stop needs no explanation; a spent budget does.
                record.error = str(exc) if isinstance(exc, BudgetExceeded) else None
                audit.append("stage_stopped", reason=record.error)
            else:
                record.status = StageStatus.FAILED
                record.error = f"{type(exc).__name__}: {exc}"
                audit.append("stage_failed", error=record.error)
        finally:
            current_stage.reset(stage_token)
            current_run.reset(run_token)
        self.state.status = (
            RunStatus.STOPPED
            if record.status == StageStatus.STOPPED
            else RunStatus.AWAITING_DECISION
        )
        if observer is not None:
            observer.stage_settled(self.state, name)

    def _stop_was_requested(self) -> bool:
        observer = self.runtime.observer
        return observer is not None and observer.stop_requested(self.state.id)

    def _check_stop(self) -> None:
        if self._stop_was_requested():
            raise StopRequested("stop requested")

    def _gate_view(self, name: str) -> dict[str, Any]:
        record = self.state.stages[name]
        return {
            "stage": name,
            "message": self.state.step(name).gate,
            "status": record.status,
            "attempt": record.attempts,
            "review": record.review.model_dump(mode="json") if record.review else None,
            "artifact": record.artifact,
            "error": record.error,
            "memory_ids": record.memory_ids,
        }

    def _route(self, name: str, result: HumanFeedbackResult) -> str:
        """Apply a gate's decision; the label of what runs next."""
        record = self.state.stages[name]
        decision = GateDecision.model_validate_json(result.feedback)
        actor = decision.actor or self.project.recruiter.id
        try:
            model: type[BaseModel] | None = self.state.model_of(name)
        except GateError:
            # A custom stage's model that no longer imports: an edit was refused before the
            # gate was taken (check_decision); the other decisions stand, unlearned from.
            model = None
        before = _validated(model, record.artifact)
        after = (
            model.model_validate(decision.artifact)
            if model and decision.decision == "edit"
            else before
        )
        learned = self._learn(name, decision, before, after)
        record.decisions.append(
            DecisionRecord(
                decision=decision.decision,
                reason=decision.reason,
                actor=actor,
                votes=decision.votes,
                learned_memory_ids=learned,
            )
        )
        self.runtime.audit.append(
            "human_decision",
            run_id=self.state.id,
            stage=name,
            decision=decision.decision,
            reason=decision.reason,
            actor=actor,
            votes=[v.model_dump(mode="json") for v in decision.votes],
            # After an edit, which candidates the recruiter kept (ids only: no personal data).
            kept_candidate_ids=(
                candidate_ids(name, decision.artifact) if decision.decision == "edit" else None
            ),
            # The state keeps the edited artifact; the trail keeps proof of what it was.
            edited_artifact_sha256=(
                hashlib.sha256(json.dumps(decision.artifact, sort_keys=True).encode()).hexdigest()
                if decision.artifact is not None
                else None
            ),
        )
        if decision.decision == "stop":
            record.status = StageStatus.STOPPED
            return "halted"
        if decision.decision == "reject":
            record.feedback = decision.reason
            record.status = StageStatus.PENDING
            return "retry_custom" if self.state.step(name).custom else f"retry_{name}"
        if decision.decision == "edit":
            # Checked before resuming (crews.runner.check_decision); reviewed again here so
            # the confirmed artifact always carries the review of what was confirmed.
            assert after is not None  # validated above: an edit always carries its artifact
            record.review = review_edit(self.state, name, after)
            record.artifact = after.model_dump(mode="json")
            record.edited = True
        record.status = StageStatus.CONFIRMED
        following = self.state.next_stage(name)
        if following is None:
            return "finished"
        return "go_custom" if self.state.step(following).custom else f"go_{following}"

    def _learn(
        self,
        name: str,
        decision: GateDecision,
        before: BaseModel | None,
        after: BaseModel | None,
    ) -> list[str]:
        """Teach the recruiter's memory from a decision; a memory failure never loses the
        decision itself (it is audited and the run goes on)."""
        service = self.runtime.memory
        if service is None:
            return []
        try:
            written = learn_from_decision(
                service,
                recruiter_id=self.project.recruiter.id,
                project=self.state.id,
                stage=name,
                decision=decision,
                before=before,
                after=after,
            )
        except HirecrewError as exc:
            self.runtime.audit.append("memory_unavailable", stage=name, error=str(exc))
            return []
        ids = list(dict.fromkeys(m.id for m in written))
        if ids:
            self.runtime.audit.append(
                # Ids only: a memory the recruiter later erases leaves no text in the trail.
                "memories_learned",
                stage=name,
                memory_ids=ids,
            )
        return ids

    def _checkpoint(self, method: str) -> None:
        self.runtime.persistence.save_state(self.state.id, method, self.state)

    # --- the graph ----------------------------------------------------------------------
    # Written out stage by stage: crewai builds the graph from these decorators.

    @start()
    def begin(self) -> None:
        # The run follows the pipeline in force when it starts, whatever changes later.
        pipeline = pipeline_of(self.runtime.config)
        self.state.pipeline = list(pipeline)
        self.state.stages = {
            step.name: self.state.stages.get(step.name) or StageRecord() for step in pipeline
        }
        # The project id (set by the server) files the run's first events under its project
        # before any stage has linked the flow to it.
        extra = {"project_id": self.project.project_id} if self.project.project_id else {}
        self.runtime.audit.append(
            "run_started",
            run_id=self.state.id,
            title=self.project.title,
            stages=[step.name for step in pipeline],
            **extra,
        )

    @listen(or_(begin, "retry_intake"))
    def run_intake(self) -> None:
        self._run_stage("intake")

    @listen(run_intake)
    @human_feedback(message=STAGE_BY_NAME["intake"].gate_message, provider=GATE)
    def gate_intake(self) -> dict[str, Any]:
        return self._gate_view("intake")

    @router(gate_intake)
    def route_intake(self, result: HumanFeedbackResult) -> str:
        return self._route("intake", result)

    @listen(or_("go_sourcing", "retry_sourcing"))
    def run_sourcing(self) -> None:
        self._run_stage("sourcing")

    @listen(run_sourcing)
    @human_feedback(message=STAGE_BY_NAME["sourcing"].gate_message, provider=GATE)
    def gate_sourcing(self) -> dict[str, Any]:
        return self._gate_view("sourcing")

    @router(gate_sourcing)
    def route_sourcing(self, result: HumanFeedbackResult) -> str:
        return self._route("sourcing", result)

    @listen(or_("go_screening", "retry_screening"))
    def run_screening(self) -> None:
        self._run_stage("screening")

    @listen(run_screening)
    @human_feedback(message=STAGE_BY_NAME["screening"].gate_message, provider=GATE)
    def gate_screening(self) -> dict[str, Any]:
        return self._gate_view("screening")

    @router(gate_screening)
    def route_screening(self, result: HumanFeedbackResult) -> str:
        return self._route("screening", result)

    @listen(or_("go_outreach", "retry_outreach"))
    def run_outreach(self) -> None:
        self._run_stage("outreach")

    @listen(run_outreach)
    @human_feedback(message=STAGE_BY_NAME["outreach"].gate_message, provider=GATE)
    def gate_outreach(self) -> dict[str, Any]:
        return self._gate_view("outreach")

    @router(gate_outreach)
    def route_outreach(self, result: HumanFeedbackResult) -> str:
        return self._route("outreach", result)

    # Every stage a pipeline adds runs through these three: the state says which one it is.

    @listen(or_("go_custom", "retry_custom"))
    def run_custom(self) -> None:
        current = self.state.current_stage
        # A rejected stage runs again; after a confirmation, the stage that follows it.
        if self.state.stages[current].status == StageStatus.PENDING:
            self._run_stage(current)
        else:
            following = self.state.next_stage(current)
            assert following is not None  # the router said a custom stage comes next
            self._run_stage(following)

    @listen(run_custom)
    @human_feedback(message=CUSTOM_GATE_MESSAGE, provider=GATE)
    def gate_custom(self) -> dict[str, Any]:
        return self._gate_view(self.state.current_stage)

    @router(gate_custom)
    def route_custom(self, result: HumanFeedbackResult) -> str:
        return self._route(self.state.current_stage, result)

    @listen("finished")
    def complete(self) -> str:
        self.state.status = RunStatus.COMPLETED
        self.runtime.audit.append("run_completed", run_id=self.state.id)
        self._checkpoint("complete")
        if self.runtime.observer is not None:
            self.runtime.observer.run_ended(self.state)
        return RunStatus.COMPLETED.value

    @listen("halted")
    def halt(self) -> str:
        self.state.status = RunStatus.STOPPED
        self.runtime.audit.append("run_stopped", run_id=self.state.id)
        self._checkpoint("halt")
        if self.runtime.observer is not None:
            self.runtime.observer.run_ended(self.state)
        return RunStatus.STOPPED.value
