"""The role configuration (agents, tasks and crews YAML): read it, check a change, apply it,
see its versions and roll back.

Configuration editors (and admins) change it. A change is checked as a whole (the file given
with the other two of the newest version) before anything is written: a bad file is refused
with every problem's file, key and line, and the running configuration stays as it was. A good
one becomes a new numbered version in the database (author, time, message, parent), is
written (atomically) to the configuration directory and takes effect for every flow started
from then on, in this process and, at their next job, in every other server and worker on the
same database (``server.config_versions``). A flow in progress keeps the version it started
with. Rolling back records the old version's files as a new version, checked first like any
change. Every change is audited with the hashes before and after.

Where the files live: ``HIRECREW_CONFIG_DIR`` when set; otherwise the bundled defaults until
the first change, which copies them to ``<data>/config`` (used from then on, restarts
included).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from config.errors import ConfigError
from config.settings import active_config_dir
from server.auth import ConfigEditor, CurrentUser, Role
from server.config_versions import (
    NAMES,
    Recorded,
    api_references,
    check_files,
    diff_versions,
    editable_dir,
    file_sha256,
    files_of,
    get_version,
    latest_number,
    list_versions,
)
from server.context import Ctx
from server.db.models import ConfigVersion
from server.errors import ApiError
from server.schemas import ERRORS, Problem, Strict, Text

router = APIRouter(tags=["config"], responses=ERRORS)

__all__ = ["editable_dir", "router"]

FileName = Literal["agents.yaml", "tasks.yaml", "crews.yaml"]
MAX_VERSION = 2_147_483_647  # the column is a 32-bit integer on PostgreSQL
VersionNumber = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Message = Annotated[Text, Field(max_length=1000, description="why (shown in the history)")]
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "invalid: nothing was changed"}
}
_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "no such version"}
}


class Issue(BaseModel):
    file: str | None
    key: str
    line: int | None
    message: str


class ConfigInvalid(ApiError):
    status_code = 422

    def __init__(self, message: str, issues: list[Issue]) -> None:
        super().__init__(message)
        self.issues = issues


class ConfigRead(BaseModel):
    directory: str
    version: int = Field(description="the configuration version in force")
    files: dict[str, str] = Field(description="file name -> YAML text")
    agents: list[str]
    tasks: list[str]
    crews: list[str]
    can_edit: bool = Field(description="whether the caller may change the configuration")


class ConfigCandidate(Strict):
    files: dict[FileName, Annotated[Text, Field(max_length=500_000)]] = Field(
        description="file name -> YAML text; files not given are the current ones"
    )


class FileWrite(Strict):
    content: Text = Field(max_length=500_000, description="the file's new YAML text")
    message: Message = ""


class Rollback(Strict):
    version: VersionNumber = Field(description="the version whose files to restore")
    message: Message = ""


class Validation(BaseModel):
    valid: bool
    issues: list[Issue]
    agents: list[str] = Field(default_factory=list)
    crews: list[str] = Field(default_factory=list)


class Applied(BaseModel):
    file: str
    directory: str
    version: int = Field(description="the new configuration version")
    parent: int | None
    sha256_before: str | None
    sha256_after: str
    agents: list[str]
    crews: list[str]


class RolledBack(BaseModel):
    version: int = Field(description="the new configuration version")
    restores: int
    parent: int | None
    changed: list[str] = Field(description="the files that differ from the version before")
    agents: list[str]
    crews: list[str]


class VersionSummary(BaseModel):
    number: int
    parent: int | None
    restores: int | None
    author: str
    message: str
    sha256: str
    created_at: datetime


class VersionList(BaseModel):
    versions: list[VersionSummary] = Field(description="newest first")
    latest: int | None
    loaded: int | None = Field(description="the version this server runs")


class VersionRead(VersionSummary):
    files: dict[str, str] = Field(description="file name -> YAML text")
    file_sha256: dict[str, str]


class DiffRead(BaseModel):
    from_version: int = Field(serialization_alias="from")
    to_version: int = Field(serialization_alias="to")
    files: dict[str, str] = Field(description="file name -> unified diff ('' when unchanged)")
    changed: list[str]


def _issues(exc: ConfigError) -> list[Issue]:
    found = [
        Issue(
            file=issue.file.name if issue.file else None,
            key=issue.key,
            line=issue.line,
            message=issue.message,
        )
        for issue in exc.issues
    ]
    return found or [Issue(file=None, key="", line=None, message=str(exc))]


def _summary(row: ConfigVersion) -> VersionSummary:
    return VersionSummary(
        number=row.number,
        parent=row.parent,
        restores=row.restores,
        author=row.author,
        message=row.message,
        sha256=row.sha256,
        created_at=row.created_at,
    )


@router.get("/config", response_model=ConfigRead)
def read_config(user: CurrentUser, ctx: Ctx) -> ConfigRead:
    """The configuration in force: its version, where its files are, and their text."""
    number = ctx.versions.refresh()
    with ctx.sessions() as session:
        files = files_of(get_version(session, number))
    config = ctx.versions.config_of(number)
    return ConfigRead(
        directory=str(active_config_dir(ctx.settings)),
        version=number,
        files=files,
        agents=sorted(config.agents),
        tasks=sorted(config.tasks),
        crews=sorted(config.crews),
        can_edit=user.role in (Role.EDITOR, Role.ADMIN),
    )


@router.post("/config/validate", response_model=Validation)
def validate_config(body: ConfigCandidate, user: ConfigEditor, ctx: Ctx) -> Validation:
    """Check files (with the current others) without changing anything."""
    number = ctx.versions.refresh()
    with ctx.sessions() as session:
        current = files_of(get_version(session, number))
    files = {**current, **{str(name): text for name, text in body.files.items()}}
    try:
        config = check_files(ctx.settings, files, references=api_references(ctx.settings, current))
    except ConfigError as exc:
        return Validation(valid=False, issues=_issues(exc))
    return Validation(
        valid=True, issues=[], agents=sorted(config.agents), crews=sorted(config.crews)
    )


@router.put("/config/{file}", response_model=Applied, responses=_INVALID)
def write_config(file: FileName, body: FileWrite, user: ConfigEditor, ctx: Ctx) -> Applied:
    """Replace one file. Checked first with the other two: a bad file is refused (422, each
    problem with its file, key and line) and nothing changes; a good one becomes a new
    configuration version and applies to every flow started from now on."""
    try:
        recorded = ctx.versions.apply(
            {file: body.content}, author=user.id, message=body.message, from_api=True
        )
    except ConfigError as exc:
        raise ConfigInvalid(
            "the configuration is invalid; nothing was changed", _issues(exc)
        ) from exc
    ctx.audit.append(
        "config_changed",
        actor=user.id,
        file=file,
        version=recorded.number,
        parent=recorded.parent,
        message=body.message,
        sha256_before=recorded.sha256_before[file],
        sha256_after=recorded.sha256_after[file],
    )
    return Applied(
        file=file,
        directory=str(editable_dir(ctx.settings)),
        version=recorded.number,
        parent=recorded.parent,
        sha256_before=recorded.sha256_before[file],
        sha256_after=recorded.sha256_after[file],
        agents=sorted(recorded.config.agents),
        crews=sorted(recorded.config.crews),
    )


@router.get("/config/versions", response_model=VersionList)
def config_history(
    user: CurrentUser,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> VersionList:
    """The configuration versions, newest first (``before`` pages back)."""
    loaded = ctx.versions.refresh()
    with ctx.sessions() as session:
        rows = list_versions(session, limit=limit, before=before)
        latest = latest_number(session)
        versions = [_summary(row) for row in rows]
    return VersionList(versions=versions, latest=latest, loaded=loaded)


@router.get("/config/versions/{number}", response_model=VersionRead, responses=_MISSING)
def read_version(
    number: Annotated[int, PathParam(ge=1, le=MAX_VERSION)], user: CurrentUser, ctx: Ctx
) -> VersionRead:
    """One configuration version, with its three files."""
    with ctx.sessions() as session:
        row = get_version(session, number)
        files = files_of(row)
        summary = _summary(row)
    return VersionRead(
        **summary.model_dump(),
        files=files,
        file_sha256={name: file_sha256(text) for name, text in files.items()},
    )


@router.get(
    "/config/diff", response_model=DiffRead, response_model_by_alias=True, responses=_MISSING
)
def diff_config(
    user: CurrentUser,
    ctx: Ctx,
    from_version: Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=MAX_VERSION)],
) -> DiffRead:
    """The unified diff, file by file, from one configuration version to another."""
    with ctx.sessions() as session:
        files = diff_versions(session, old=from_version, new=to_version)
    return DiffRead(
        from_version=from_version,
        to_version=to_version,
        files=files,
        changed=[name for name in NAMES if files[name]],
    )


@router.post("/config/rollback", response_model=RolledBack, responses={**_INVALID, **_MISSING})
def rollback_config(body: Rollback, user: ConfigEditor, ctx: Ctx) -> RolledBack:
    """Restore an earlier version's files as a NEW version (checked with the current code
    first, like any change: one that no longer validates is refused and nothing changes)."""
    try:
        recorded: Recorded = ctx.versions.rollback(
            body.version, author=user.id, message=body.message, from_api=True
        )
    except ConfigError as exc:
        raise ConfigInvalid(
            f"version {body.version} is not valid with the current code; nothing was changed",
            _issues(exc),
        ) from exc
    ctx.audit.append(
        "config_rolled_back",
        actor=user.id,
        version=recorded.number,
        restores=body.version,
        parent=recorded.parent,
        files=list(recorded.changed),
        message=body.message,
        sha256_before=recorded.sha256_before,
        sha256_after=recorded.sha256_after,
    )
    return RolledBack(
        version=recorded.number,
        restores=body.version,
        parent=recorded.parent,
        changed=list(recorded.changed),
        agents=sorted(recorded.config.agents),
        crews=sorted(recorded.config.crews),
    )
