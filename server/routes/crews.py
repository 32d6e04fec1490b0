"""The crews of the running configuration, and runs of custom crews.

A custom crew (declared in crews.yaml beyond the hiring flow's stages) runs on its own with
its named inputs and answers with its output. The run is synchronous: a custom crew is one
crew, not a multi-stage project, and on the offline engine takes about a second; with a remote
model it takes as long as the model does (the request's timeout should allow for it). Its
model and tool calls are audited under the run's id; the inputs by name only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import Field

from crews.catalog import CrewInfo, crew_kind, describe_crews
from crews.custom import CrewRun, run_custom_crew
from crews.errors import CrewRunError
from server.auth import CurrentUser
from server.context import Ctx
from server.errors import NotFound, Unprocessable
from server.schemas import ERRORS, Strict

router = APIRouter(tags=["crews"], responses=ERRORS)

CrewName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]


class CrewRunRequest(Strict):
    inputs: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="input name -> value (the crew's `inputs:`)"
    )


@router.get("/crews", response_model=list[CrewInfo])
def list_crews(user: CurrentUser, ctx: Ctx) -> list[CrewInfo]:
    """Every crew of the newest configuration: the hiring flow's stages and review, then the
    custom crews."""
    return describe_crews(ctx.versions.config_of(ctx.versions.refresh()))


@router.post(
    "/crews/{name}/runs",
    response_model=CrewRun,
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "no custom crew of that name"},
        422: {"description": "missing, unknown or oversized inputs (nothing ran)"},
    },
)
def run_crew(name: CrewName, body: CrewRunRequest, user: CurrentUser, ctx: Ctx) -> CrewRun:
    """Run a custom crew once. A crew that fails answers 201 with status ``failed`` and the
    reason (the run happened and is on the record); nothing ran when the answer is 4xx."""
    # The newest configuration version, as one snapshot: a change applied mid-run does not
    # reach this run, and the run records which version it ran.
    version = ctx.versions.refresh()
    config = ctx.versions.config_of(version)
    if name not in config.crews or crew_kind(name) != "custom":
        custom = sorted(n for n in config.crews if crew_kind(n) == "custom")
        raise NotFound(f"no custom crew '{name}' (custom crews: {', '.join(custom) or 'none'})")
    inputs: dict[str, Any] = dict(body.inputs)
    try:
        return run_custom_crew(
            config, ctx.settings.llm, ctx.audit, name, inputs, actor=user.id, config_version=version
        )
    except CrewRunError as exc:
        raise Unprocessable(str(exc)) from exc
