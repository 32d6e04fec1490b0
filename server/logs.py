"""Structured logs for the long-running commands (``hirecrew serve``, ``hirecrew worker``).

``configure_logging(settings)`` puts one handler on the root logger, so hirecrew's loggers and
every library's (uvicorn, celery, crewai, httpx, ...) go through the same two steps:

1. ``Redactor``, a filter, rewrites each record before anything formats it: the message is
   rendered once, every known secret value (each ``SecretStr`` of the settings, passwords in
   their URLs, provider keys from the environment) and every secret-shaped text (bearer tokens,
   hirecrew API tokens, ``Authorization``/``Cookie`` values, ``password=``/``token=`` pairs,
   passwords in URLs) is replaced by ``***``. Free text is refused structurally: a library's
   message arguments that are long strings or containers (a prompt, a request body, a row) are
   replaced by their size; ``extra`` fields whose names carry free text (``resume``, ``text``,
   ``prompt``, ``output``, ...) are withheld; every message, field and traceback line is
   clipped. Loggers that print data rows or bodies at debug level (SQLAlchemy's engine, model
   SDKs, PDF parsers) are held at warning or info whatever the level asked.
2. A formatter: JSON, one object per line (``time``, ``level``, ``logger``, ``message``, then
   ``run_id``, ``flow_id``, ``project_id``, ``stage``, ``request_id``, ``user_id`` when known, the
   record's safe extras, ``exc``), or one text line.

The ids come from context variables: a request's (``RequestLog``, the ASGI middleware that also
logs each request with its method, route template, status and duration; ``note_user`` from the
authentication dependency), a job's (``job_context`` around the ``JobRunner``), and the flow's
own (``crews.audit.current_run`` / ``current_stage``), which crewai hands to its event handlers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, SecretStr

from config.settings import Settings
from crews.audit import current_run, current_stage

# hirecrew's own top-level packages: their messages are written by us, not by a library.
OWN_PACKAGES = frozenset(
    {"cli", "server", "crews", "agents", "tasks", "tools", "memory", "config", "domain"}
)
# Loggers that print data at debug/info level: SQL parameters (resume text, tokens' hashes),
# request and response bodies (prompts), document content. Never lower than this.
FLOORS: dict[str, int] = {
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
    "sqlalchemy.orm": logging.WARNING,
    "alembic": logging.WARNING,
    "httpcore": logging.INFO,
    "hpack": logging.WARNING,
    "openai": logging.INFO,
    "anthropic": logging.INFO,
    "litellm": logging.INFO,
    "LiteLLM": logging.INFO,
    "multipart": logging.INFO,
    "python_multipart": logging.INFO,
    "pdfminer": logging.WARNING,
    "pdfplumber": logging.WARNING,
    "pypdf": logging.WARNING,
    "PIL": logging.INFO,
    "urllib3": logging.INFO,
    "asyncio": logging.WARNING,
    "sse_starlette": logging.INFO,
}
# Libraries that may carry handlers of their own: theirs are removed, so every line goes
# through ours.
ROUTED = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "crewai", "httpx", "litellm")
ACCESS_LOGGER = "server.access"

MAX_MESSAGE = 2000
MAX_FIELD = 200
MAX_ARG = 200
MAX_TRACE_LINE = 300
MAX_TRACE = 8000
# extra={...} names that carry free text (resumes, notes, prompts, model output): withheld.
RISKY_FIELDS = frozenset(
    {
        "resume",
        "text",
        "notes",
        "intake_notes",
        "content",
        "prompt",
        "messages",
        "output",
        "response",
        "artifact",
        "body",
        "payload",
        "comment",
        "reason",
        "feedback",
        "description",
        "tool_args",
        "summary",
        "evidence",
        "quote",
        "quotes",
        "raw",
        "data",
        "inputs",
    }
)
RISKY_PARTS = ("resume", "prompt", "candidate_text", "notes")
TOKEN_PREFIX = "hc_"  # server.auth.TOKEN_PREFIX (a test keeps them equal)

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:)[^/@\s]+(?=@)")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\bbearer\s+[^\s\"',;]+"), "Bearer ***"),
    (re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=]{8,}"), "Basic ***"),
    (re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{16,}"), TOKEN_PREFIX + "***"),
    (
        re.compile(
            r"(?i)\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)"
            r"([\"']?\s*[:=]\s*[\"']?)([^\"'\n,;}]+)"
        ),
        r"\1\2***",
    ),
    (
        re.compile(
            r"(?i)\b(password|passwd|pwd|secret|client_secret|token|access_token|"
            r"refresh_token|api_key|apikey|key|signature|sig)([\"']?\s*[=:]\s*[\"']?)"
            r"(?!\*\*\*)([^\s&\"',;}]+)"
        ),
        r"\1\2***",
    ),
    # pydantic repeats the offending input in its errors: it may be anybody's text.
    (re.compile(r"input_value=(?:'[^']*'|\"[^\"]*\"|\S+)"), "input_value=[withheld]"),
    (re.compile(r"input_value=\{.*?\}(?=, input_type)"), "input_value=[withheld]"),
)
_SECRET_ENV = re.compile(r"(API_KEY|TOKEN|SECRET|PASSWORD|PASSWD)$")

# --- context ------------------------------------------------------------------------------


@dataclass
class RequestInfo:
    """The request being served (shared by every context copy made while it runs)."""

    request_id: str
    user_id: str | None = None


_request: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "hirecrew_request", default=None
)
_job: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "hirecrew_job", default=None
)


def current_request() -> RequestInfo | None:
    """The request being served in this context, if any."""
    return _request.get()


def note_user(user_id: str) -> None:
    """Record who makes the current request (called once authenticated)."""
    info = _request.get()
    if info is not None:
        info.user_id = user_id


@contextmanager
def bind(**fields: str) -> Iterator[None]:
    """Add ``fields`` (``run_id``, ``project_id``) to every log line of this context."""
    token = _job.set({**(_job.get() or {}), **fields})
    try:
        yield
    finally:
        _job.reset(token)


def enter_run(run_id: str) -> None:
    """From here to the end of this context, lines carry ``run_id`` (a stage's own run row,
    which a decision's job may start after the run it decided)."""
    _job.set({**(_job.get() or {}), "run_id": run_id})


def context_fields() -> dict[str, str]:
    """The ids known here: run, flow, project, stage, request and user."""
    fields: dict[str, str] = {}
    bound = _job.get()
    if bound:
        fields.update(bound)
    flow = current_run.get()
    if flow is not None:
        # The CLI's runs are known by their flow id; the server's by their run row's id.
        if "run_id" not in fields:
            fields["run_id"] = flow
        elif fields["run_id"] != flow:
            fields["flow_id"] = flow
    stage = current_stage.get()
    if stage is not None:
        fields["stage"] = stage
    request = _request.get()
    if request is not None:
        fields["request_id"] = request.request_id
        if request.user_id is not None:
            fields["user_id"] = request.user_id
    return fields


J = TypeVar("J", bound=Any)


def job_context(runner: Callable[[J], None]) -> Callable[[J], None]:
    """``runner`` with the job's run and project ids on every line it logs, and a line when
    each job starts and ends (with its duration)."""
    log = logging.getLogger("server.jobs")

    def run(job: J) -> None:
        with bind(run_id=str(job.run_id), project_id=str(job.project_id)):
            log.info("%s job started", job.kind, extra={"job": job.kind})
            began = time.perf_counter()
            try:
                runner(job)
            finally:
                log.info(
                    "%s job ended",
                    job.kind,
                    extra={"job": job.kind, "duration_ms": _ms(began)},
                )

    return run


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


# --- secrets ------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """``scheme://user:secret@host/...`` with the password replaced by ``***``."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + "***", url)


def secret_values(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every secret in ``settings`` (each SecretStr, at any depth, and the passwords in its
    URLs) and in the environment (``*_API_KEY``, ``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            match = _URL_PASSWORD.search(value)
            if match is not None:
                found.append(value[match.end("head") : match.end()])

    walk(settings)
    for value in list(found):
        match = _URL_PASSWORD.search(value)
        if match is not None:
            found.append(value[match.end("head") : match.end()])
    env = os.environ if environ is None else environ
    found += [v for k, v in env.items() if _SECRET_ENV.search(k.upper()) and len(v) >= 8]
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


class Redactor(logging.Filter):
    """Masks secrets and withholds free text in every record (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        text = mask_url(text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_hirecrew_redacted", False):
            return True
        own = record.name.split(".", 1)[0] in OWN_PACKAGES
        if record.args and not own:
            record.args = _withhold_args(record.args)
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: keep the template
            message = str(record.msg)
        record.msg = self.scrub(_clip(message, MAX_MESSAGE))
        record.args = None
        for name in list(record.__dict__):
            if name in _STANDARD or name.startswith("_"):
                continue
            record.__dict__[name] = self._field(name, record.__dict__[name])
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = self._trace(traceback.format_exception(*record.exc_info))
        elif record.exc_text:
            record.exc_text = self._trace([record.exc_text])
        if record.stack_info:
            record.stack_info = self._trace([record.stack_info])
        setattr(record, "_hirecrew_redacted", True)  # noqa: B010
        return True

    def _field(self, name: str, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value  # a count or a flag, whatever its name (prompt_tokens)
        lowered = name.lower()
        if lowered in RISKY_FIELDS or any(part in lowered for part in RISKY_PARTS):
            return f"[withheld: {len(value)} chars]" if isinstance(value, str) else "[withheld]"
        if isinstance(value, str):
            return self.scrub(_clip(value, MAX_FIELD))
        return f"[{type(value).__name__}]"

    def _trace(self, chunks: list[str]) -> str:
        lines = "".join(chunks).splitlines()
        text = "\n".join(_clip(line, MAX_TRACE_LINE) for line in lines)
        return self.scrub(_clip(text, MAX_TRACE))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text)} chars]"


def _withhold(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_ARG:
        return f"[{len(value)} chars withheld]"
    if isinstance(value, bytes | bytearray):
        return f"[{len(value)} bytes withheld]"
    if isinstance(value, Mapping | list | set | tuple | BaseModel):
        return f"[{type(value).__name__} withheld]"
    return value


def _withhold_args(args: Any) -> Any:
    if isinstance(args, Mapping):
        return {k: _withhold(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(_withhold(v) for v in args)
    return _withhold(args)


# --- formatting -----------------------------------------------------------------------------

_RESERVED = ("time", "level", "logger", "message", "exc", "stack")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, safe extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_ids(record))
        for name, value in record.__dict__.items():
            if name in _STANDARD or name.startswith("_") or name in _RESERVED:
                continue
            line.setdefault(name, value if _plain(value) else str(value))
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message [ids and extras]`` (and the traceback below)."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        fields = dict(_ids(record))
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_") and name not in _RESERVED:
                fields.setdefault(name, value)
        tail = " ".join(f"{k}={v}" for k, v in fields.items())
        text = f"{at} {record.levelname:<7} {record.name}: {record.getMessage()}"
        text += f" [{tail}]" if tail else ""
        if record.exc_text:
            text += "\n" + record.exc_text
        return text


def _ids(record: logging.LogRecord) -> dict[str, str]:
    found = getattr(record, "_hirecrew_ids", None)
    return found if isinstance(found, dict) else {}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class ContextFilter(logging.Filter):
    """Stamps each record with the ids of the context it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "_hirecrew_ids"):
            setattr(record, "_hirecrew_ids", context_fields())  # noqa: B010
        return True


# --- set-up ---------------------------------------------------------------------------------

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_LEVELS["error"] = logging.ERROR


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None, access_log: bool = True
) -> logging.Handler:
    """Send every logger's records through the redactor and the configured formatter to
    ``stream`` (default: stderr), at ``settings.log.level``; returns the handler.

    Replaces the root logger's handlers (idempotent: a second call replaces the first one's).
    ``access_log=False`` keeps the per-request lines out (they stay at debug level).
    """
    level = _LEVELS[settings.log.level]
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(Redactor(secret_values(settings)))
    handler.setFormatter(JsonFormatter() if settings.log.format == "json" else TextFormatter())
    handler.set_name("hirecrew")
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ROUTED:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    for name, floor in FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, level))
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.NOTSET if access_log else logging.WARNING)
    logging.captureWarnings(True)
    return handler


# --- requests -------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def route_template(scope: Scope) -> str:
    """The matched route's path template with its router's prefix (``/api/runs/{run_id}``),
    ``{mount}/{path}`` for a mounted app, or ``unmatched``: never a raw path."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str):
        return "unmatched"
    if hasattr(route, "routes") and not hasattr(route, "endpoint"):  # a Mount
        return template.rstrip("/") + "/{path}"
    # A route included with a prefix knows only its own part: the prefix is what the
    # request's path has before the route's part, rendered with its parameters.
    rendered = template
    for name, value in (scope.get("path_params") or {}).items():
        rendered = rendered.replace("{" + str(name) + "}", str(value))
    path = str(scope.get("path", ""))
    if rendered and path.endswith(rendered):
        return path[: len(path) - len(rendered)] + template
    return template or "unmatched"


class RequestLog:
    """ASGI middleware: gives each HTTP request an id (a well-formed ``X-Request-ID`` from the
    caller, or a new one, echoed in the answer) that every line logged while serving it
    carries, then logs the request: method, route template (never the raw path or query),
    status and duration in milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        info = RequestInfo(request_id=request_id)
        token = _request.set(info)
        status = 500
        began = time.perf_counter()

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            level = logging.WARNING if status >= 500 else logging.INFO
            self.log.log(
                level,
                "%s %s %s",
                scope.get("method", "?"),
                route_template(scope),
                status,
                extra={
                    "method": scope.get("method"),
                    "route": route_template(scope),
                    "status": status,
                    "duration_ms": _ms(began),
                },
            )
            _request.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def log_crewai_events() -> None:
    """At debug level, a line per crewai event of a run (its type, the agent's role, the
    model and token counts; never a prompt, a tool's arguments or an output). Registered once
    per process, and only when ``server.events`` logs at debug level (it costs a handler
    call per event)."""
    global _events_registered
    log = logging.getLogger("server.events")
    if _events_registered or not log.isEnabledFor(logging.DEBUG):
        return
    _events_registered = True
    from crewai.events import crewai_event_bus
    from crewai.events.types.crew_events import (
        CrewKickoffCompletedEvent,
        CrewKickoffFailedEvent,
        CrewKickoffStartedEvent,
    )
    from crewai.events.types.llm_events import LLMCallCompletedEvent, LLMCallFailedEvent
    from crewai.events.types.tool_usage_events import ToolUsageFinishedEvent

    def handler(_source: Any, event: Any) -> None:
        if current_run.get() is None or not log.isEnabledFor(logging.DEBUG):
            return
        extra: dict[str, Any] = {"event": event.type}
        for name in ("agent_role", "model", "tool_name", "crew_name"):
            value = getattr(event, name, None)
            if isinstance(value, str):
                extra[name] = value
        usage = getattr(event, "usage", None)
        if isinstance(usage, dict):
            for key in ("prompt_tokens", "completion_tokens"):
                if isinstance(usage.get(key), int):
                    extra[key] = usage[key]
        log.debug("crewai %s", event.type, extra=extra)

    for event_class in (
        CrewKickoffStartedEvent,
        CrewKickoffCompletedEvent,
        CrewKickoffFailedEvent,
        LLMCallCompletedEvent,
        LLMCallFailedEvent,
        ToolUsageFinishedEvent,
    ):
        crewai_event_bus.register_handler(event_class, handler)


_events_registered = False
