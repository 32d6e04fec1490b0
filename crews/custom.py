"""Custom crews: crews a developer declares in YAML, run on their own with named inputs.

Every crew in crews.yaml that the hiring flow does not run itself (the four stages and the
review) is a custom crew. It takes the inputs its ``inputs:`` list declares (strings), runs
once, and returns its last task's output: the typed output model's fields when the task
declares one, the raw text otherwise. Runs are audited like stage crews (the model calls and
tool calls under the run's id; the inputs by name only, since they may hold candidate text).

Call ``config.settings.quiet_environment`` before importing this module: it imports crewai.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from agents.metering import CrewMeter, crew_llms
from agents.schemas import bound_task_outputs
from config.schema import CrewSpec, RoleConfig
from config.settings import LLMSettings
from crews.assembly import build_crew
from crews.audit import AuditSink, current_run
from crews.catalog import crew_kind
from crews.errors import CrewRunError
from crews.flow import Usage
from domain.errors import HirecrewError
from tasks.outputs import output_model

MAX_INPUT_CHARS = 100_000


class CrewRun(BaseModel):
    """One run of a custom crew."""

    id: str
    crew: str
    status: Literal["completed", "failed"]
    output: dict[str, Any] | str | None
    output_model: str | None
    error: str | None = None
    config_version: int | None = Field(
        default=None, description="the configuration version it ran (server runs)"
    )
    usage: Usage
    models: list[str]
    started_at: datetime
    finished_at: datetime
    duration_s: float


def check_inputs(spec: CrewSpec, name: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    """The inputs as the crew's tasks get them: every declared one given, nothing else,
    scalars only (numbers and booleans become text), each at most ``MAX_INPUT_CHARS``.

    Raises:
        CrewRunError: naming every problem.
    """
    problems: list[str] = []
    missing = [key for key in spec.inputs if key not in inputs]
    if missing:
        problems.append(f"missing inputs: {', '.join(missing)}")
    unknown = sorted(set(inputs) - set(spec.inputs))
    if unknown:
        problems.append(
            f"crew '{name}' does not take {', '.join(map(str, unknown))} "
            f"(inputs: {', '.join(spec.inputs) or 'none'})"
        )
    values: dict[str, str] = {}
    for key in spec.inputs:
        if key not in inputs:
            continue
        value = inputs[key]
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            problems.append(f"input '{key}' must be text, got {type(value).__name__}")
            continue
        if len(text) > MAX_INPUT_CHARS:
            problems.append(f"input '{key}' is longer than {MAX_INPUT_CHARS:,} characters")
            continue
        values[key] = text
    if problems:
        raise CrewRunError("; ".join(problems))
    return values


def run_custom_crew(
    config: RoleConfig,
    llm: LLMSettings,
    audit: AuditSink,
    name: str,
    inputs: Mapping[str, Any],
    *,
    actor: str,
    config_version: int | None = None,
) -> CrewRun:
    """Run a custom crew once and return what it produced.

    A crew that fails (a model error, a tool's error, an output that does not validate)
    returns a failed run with the reason; nothing is half-applied, so it can simply be run
    again.

    Raises:
        CrewRunError: no such custom crew, or bad inputs (nothing ran).
    """
    spec = config.crews.get(name)
    if spec is None or crew_kind(name) != "custom":
        custom = sorted(n for n in config.crews if crew_kind(n) == "custom")
        if spec is not None:
            raise CrewRunError(
                f"crew '{name}' is a stage of the hiring flow: start a project run instead"
            )
        raise CrewRunError(f"no custom crew '{name}' (custom crews: {', '.join(custom) or 'none'})")
    values = check_inputs(spec, name, inputs)
    output_name = config.tasks[spec.tasks[-1]].output
    run_id = f"crew-{uuid.uuid4().hex[:16]}"
    token = current_run.set(run_id)
    started, clock = datetime.now(UTC), time.perf_counter()
    audit.append(
        "crew_run_started",
        actor=actor,
        crew=name,
        inputs=sorted(values),
        run_id=run_id,
        config_version=config_version,
    )
    output: dict[str, Any] | str | None = None
    error: str | None = None
    models: set[str] = set()
    meter: CrewMeter | None = None
    try:
        crew = build_crew(config, name, workspace=None, llm_settings=llm, inputs=values)
        models = {str(getattr(agent.llm, "model", "")) for agent in crew.agents}
        # As for stage crews: bounded schemas for the models, the budget before every call.
        bound_task_outputs(crew)
        meter = CrewMeter(crew_llms(crew), settings=llm)
        with meter.enforcing():
            result = crew.kickoff(inputs=values)
        output = _output(result, output_name)
    except HirecrewError as exc:
        error = str(exc)
    except Exception as exc:  # a model provider or a plugin tool can raise anything
        error = meter.exceeded if meter and meter.exceeded else f"{type(exc).__name__}: {exc}"
    finally:
        current_run.reset(token)
    # What the models spent, a failed crew's calls included, priced (HIRECREW_LLM__PRICES).
    usage = Usage.of(meter.spend()) if meter is not None else Usage()
    run = CrewRun(
        id=run_id,
        crew=name,
        status="failed" if error else "completed",
        output=output,
        output_model=output_name,
        error=error,
        config_version=config_version,
        usage=usage,
        models=sorted(m for m in models if m),
        started_at=started,
        finished_at=datetime.now(UTC),
        duration_s=round(time.perf_counter() - clock, 3),
    )
    audit.append(
        "crew_run_finished",
        actor=actor,
        crew=name,
        run_id=run_id,
        status=run.status,
        error=run.error,
        usage=usage.model_dump(),
        models=run.models,
    )
    return run


def _output(result: Any, output_name: str | None) -> dict[str, Any] | str:
    """The typed output as plain JSON data, or the raw text of an untyped task.

    Raises:
        CrewRunError: the task declares a model and the crew's answer does not validate.
    """
    if output_name is None:
        return str(getattr(result, "raw", result))
    model = output_model(output_name)
    typed = getattr(result, "pydantic", None)
    if isinstance(typed, model):
        return typed.model_dump(mode="json")
    raw = str(getattr(result, "raw", ""))
    try:
        return model.model_validate_json(raw).model_dump(mode="json")
    except ValueError as exc:
        snippet = " ".join(raw.split())[:300]
        raise CrewRunError(f"the crew's answer is not a valid {model.__name__}: {snippet}") from exc
