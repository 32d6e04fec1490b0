"""The stages of a hiring project: their crews, typed outputs and the inputs they accept.

Importing this module must stay cheap (no crewai): ``hirecrew config validate`` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from config.schema import RoleConfig
from domain.artifacts import JobDescription, OutreachPlan, Review, Shortlist, SourcingReport
from tasks.outputs import output_model

COMMON_INPUTS = frozenset(
    {
        "project_title",
        "company",
        "recruiter_name",
        "recruiter_preferences",
        "recruiter_feedback",
        "review_findings",
        "recruiter_memories",
    }
)


@dataclass(frozen=True)
class Stage:
    """One stage: the crew that runs it and the artifact it must produce."""

    name: str
    crew: str
    output: type[BaseModel]
    inputs: frozenset[str]
    gate_message: str


STAGES: tuple[Stage, ...] = (
    Stage(
        "intake",
        "intake",
        JobDescription,
        COMMON_INPUTS | {"intake_notes"},
        "Review the drafted job description: confirm, edit, reject or stop.",
    ),
    Stage(
        "sourcing",
        "sourcing",
        SourcingReport,
        COMMON_INPUTS | {"job_description"},
        "Review the search plan and the candidates found: confirm, edit, reject or stop.",
    ),
    Stage(
        "screening",
        "screening",
        Shortlist,
        COMMON_INPUTS | {"job_description", "sourced_candidates"},
        "Review the ranked shortlist and its evidence: confirm, edit, reject or stop.",
    ),
    Stage(
        "outreach",
        "outreach",
        OutreachPlan,
        COMMON_INPUTS | {"job_description", "shortlist"},
        "Review the drafted messages and proposed slots before anything is sent.",
    ),
)
STAGE_BY_NAME = {stage.name: stage for stage in STAGES}
STAGE_NAMES = tuple(stage.name for stage in STAGES)

REVIEW_CREW = "review"
REVIEW_INPUTS = frozenset({"project_title", "stage", "artifact"})
REVIEW_OUTPUT = Review

CREW_INPUTS: dict[str, frozenset[str]] = {
    **{stage.crew: stage.inputs for stage in STAGES},
    REVIEW_CREW: REVIEW_INPUTS,
}


# --- the pipeline: the ordered stages of a flow, built-in and custom ----------------------

CUSTOM_GATE_MESSAGE = "Review this stage's output: confirm, edit, reject or stop."

# What the flow can give a custom stage's crew, by input name, and from which built-in stage's
# confirmation on (None: from the start). An earlier custom stage X adds ``X_output``.
FLOW_VALUES: dict[str, str | None] = {
    **dict.fromkeys(COMMON_INPUTS),
    "intake_notes": None,
    "job_description": "intake",
    "sourced_candidates": "sourcing",
    "shortlist": "screening",
}


class StageStep(BaseModel):
    """One stage of a flow's pipeline, as the flow keeps it in its state: a run follows the
    pipeline it started with, whatever the configuration says later."""

    name: str
    crew: str
    output: str = Field(description="the output model's name (or module:Class reference)")
    gate: str
    custom: bool = False
    inputs: tuple[str, ...] = Field(default=(), description="the custom crew's inputs")
    constants: dict[str, str] = Field(
        default_factory=dict, description="values the pipeline gives some of those inputs"
    )


BUILT_IN_PIPELINE: tuple[StageStep, ...] = tuple(
    StageStep(name=s.name, crew=s.crew, output=s.output.__name__, gate=s.gate_message)
    for s in STAGES
)


def output_key(stage: str) -> str:
    """The input name under which later custom stages get a custom stage's output."""
    return f"{stage}_output"


def pipeline_of(config: RoleConfig) -> tuple[StageStep, ...]:
    """The pipeline a configuration declares (the four built-in stages when it declares
    none). Assumes a configuration ``crews.catalog.load_config`` accepted."""
    if not config.pipeline:
        return BUILT_IN_PIPELINE
    steps: list[StageStep] = []
    for step in config.pipeline:
        if step.stage in STAGE_BY_NAME:
            steps.append(BUILT_IN_PIPELINE[STAGE_NAMES.index(step.stage)])
            continue
        crew = config.crews[step.crew_name]
        steps.append(
            StageStep(
                name=step.stage,
                crew=step.crew_name,
                output=config.tasks[crew.tasks[-1]].output or "",
                gate=step.gate or CUSTOM_GATE_MESSAGE,
                custom=True,
                inputs=crew.inputs,
                constants=dict(step.with_),
            )
        )
    return tuple(steps)


def step_of(pipeline: tuple[StageStep, ...] | list[StageStep], name: str) -> StageStep:
    """The step of a stage.

    Raises:
        KeyError: the pipeline has no such stage.
    """
    for step in pipeline:
        if step.name == name:
            return step
    raise KeyError(name)


def next_stage(pipeline: tuple[StageStep, ...] | list[StageStep], name: str) -> str | None:
    """The stage after ``name`` (None: it is the last)."""
    names = [step.name for step in pipeline]
    index = names.index(name) + 1
    return names[index] if index < len(names) else None


def stage_model(step: StageStep) -> type[BaseModel]:
    """The model a stage's output (and a recruiter's edit of it) must validate against.

    Raises:
        tools.plugins.PluginError: a custom stage's model can no longer be imported.
    """
    built_in = STAGE_BY_NAME.get(step.name)
    if built_in is not None and not step.custom:
        return built_in.output
    return output_model(step.output)


def stage_spec(step: StageStep) -> Stage:
    """The ``Stage`` a flow runs for a step (a custom one's from its crew)."""
    if not step.custom:
        return STAGE_BY_NAME[step.name]
    return Stage(step.name, step.crew, stage_model(step), frozenset(step.inputs), step.gate)
