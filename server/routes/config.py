"""The role configuration (agents, tasks and crews YAML): read it, check a change, apply it.

Configuration editors (and admins) change it. A change is checked as a whole (the file given
with the current other two) before anything is written: a bad file is refused with every
problem's file, key and line, and the running configuration stays as it was. A good one is
written (atomically) and takes effect for every crew built from then on; the audit trail
records who changed which file, with the hashes before and after.

Where the files live: ``HIRECREW_CONFIG_DIR`` when set; otherwise the bundled defaults until
the first change, which copies them to ``<data>/config`` (used from then on, restarts
included).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Literal

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, Field

from config import DEFAULT_CONFIG_DIR
from config.errors import ConfigError
from config.loader import FILES
from config.schema import RoleConfig
from config.settings import Settings
from crews.catalog import check_llm_roles, load_config
from server.auth import ConfigEditor, CurrentUser
from server.context import Ctx
from server.errors import ApiError
from server.schemas import ERRORS, Problem, Strict, Text

router = APIRouter(tags=["config"], responses=ERRORS)

FileName = Literal["agents.yaml", "tasks.yaml", "crews.yaml"]
NAMES: tuple[str, ...] = tuple(FILES.values())
_write_lock = threading.Lock()


def editable_dir(settings: Settings) -> Path:
    """Where the API writes configuration changes."""
    return (settings.config_dir or settings.data_path / "config").expanduser().resolve()


def active_dir(settings: Settings) -> Path:
    """Where the running configuration is read from (see the module docstring)."""
    if settings.config_dir is not None:
        return settings.config_dir.expanduser().resolve()
    edited = settings.data_path / "config"
    if all((edited / name).is_file() for name in NAMES):
        return edited.resolve()
    return DEFAULT_CONFIG_DIR


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
    files: dict[str, str] = Field(description="file name -> YAML text")
    agents: list[str]
    tasks: list[str]
    crews: list[str]


class ConfigCandidate(Strict):
    files: dict[FileName, Annotated[Text, Field(max_length=500_000)]] = Field(
        description="file name -> YAML text; files not given are the current ones"
    )


class FileWrite(Strict):
    content: Text = Field(max_length=500_000, description="the file's new YAML text")


class Validation(BaseModel):
    valid: bool
    issues: list[Issue]
    agents: list[str] = Field(default_factory=list)
    crews: list[str] = Field(default_factory=list)


class Applied(BaseModel):
    file: str
    directory: str
    sha256_before: str | None
    sha256_after: str
    agents: list[str]
    crews: list[str]


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


def _check(settings: Settings, files: dict[str, str]) -> RoleConfig:
    """Load the current files with ``files`` swapped in, in a scratch directory.

    Raises:
        ConfigInvalid: with every problem (file name, key, line).
    """
    current = active_dir(settings)
    with tempfile.TemporaryDirectory(prefix="hirecrew-config-") as scratch:
        directory = Path(scratch)
        for name in NAMES:
            target = directory / name
            if name in files:
                target.write_text(files[name], encoding="utf-8")
            else:
                shutil.copyfile(current / name, target)
        try:
            config = load_config(directory)
            check_llm_roles(config, settings.llm)
        except ConfigError as exc:
            raise ConfigInvalid(
                "the configuration is invalid; nothing was changed", _issues(exc)
            ) from exc
        except yaml.YAMLError as exc:
            # The loader re-reads some values on its own (e.g. an empty one, ``key: ``) and
            # lets that parser's error through: still a file that cannot be used, not a 500.
            raise ConfigInvalid(
                "the configuration is invalid; nothing was changed",
                [Issue(file=None, key="", line=None, message=f"invalid YAML: {exc}")],
            ) from exc
    return config


@router.get("/config", response_model=ConfigRead)
def read_config(user: CurrentUser, ctx: Ctx) -> ConfigRead:
    """The running configuration: where it is read from, and its three files."""
    directory = active_dir(ctx.settings)
    config = ctx.runtime.config
    return ConfigRead(
        directory=str(directory),
        files={name: (directory / name).read_text(encoding="utf-8") for name in NAMES},
        agents=sorted(config.agents),
        tasks=sorted(config.tasks),
        crews=sorted(config.crews),
    )


@router.post("/config/validate", response_model=Validation)
def validate_config(body: ConfigCandidate, user: ConfigEditor, ctx: Ctx) -> Validation:
    """Check files (with the current others) without changing anything."""
    try:
        config = _check(ctx.settings, {str(name): text for name, text in body.files.items()})
    except ConfigInvalid as exc:
        return Validation(valid=False, issues=exc.issues)
    return Validation(
        valid=True, issues=[], agents=sorted(config.agents), crews=sorted(config.crews)
    )


@router.put(
    "/config/{file}",
    response_model=Applied,
    responses={422: {"model": Problem, "description": "invalid: nothing was changed"}},
)
def write_config(file: FileName, body: FileWrite, user: ConfigEditor, ctx: Ctx) -> Applied:
    """Replace one file. Checked first with the other two: a bad file is refused (422, each
    problem with its file, key and line) and nothing changes; a good one applies to every
    crew built from now on."""
    settings = ctx.settings
    with _write_lock:
        config = _check(settings, {file: body.content})
        source, target = active_dir(settings), editable_dir(settings)
        target.mkdir(parents=True, exist_ok=True)
        for name in NAMES:  # the first change copies the bundled files beside it
            if name != file and not (target / name).exists():
                shutil.copyfile(source / name, target / name)
        path = target / file
        running = source / file
        before = running.read_bytes() if running.exists() else None
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(body.content, encoding="utf-8")
        tmp.replace(path)
        ctx.runtime.config = config
    applied = Applied(
        file=file,
        directory=str(target),
        sha256_before=hashlib.sha256(before).hexdigest() if before is not None else None,
        sha256_after=hashlib.sha256(body.content.encode("utf-8")).hexdigest(),
        agents=sorted(config.agents),
        crews=sorted(config.crews),
    )
    ctx.audit.append(
        "config_changed",
        actor=user.id,
        file=file,
        sha256_before=applied.sha256_before,
        sha256_after=applied.sha256_after,
    )
    return applied
