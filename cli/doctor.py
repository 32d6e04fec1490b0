"""``hirecrew doctor``: is this installation ready to serve? One verdict per check.

Each check says ``ok``, ``warn`` (works, but look at it) or ``fail`` (something will not work)
with a one-line reason; the command exits 1 when any check fails. Checks: settings, the role
configuration, the database (reachable, at the migrations' head), the data directory (writable,
free space), the memory store, the workers' broker, every model in use, the mail server, the
tracing collector.

Nothing secret is printed: passwords in URLs are masked, and API keys, tokens and passwords
from the settings are replaced wherever an error message would repeat them. No crewai import.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cli.common import EXIT_FAILED, DataDir

if TYPE_CHECKING:
    from config.schema import RoleConfig
    from config.settings import Settings

Verdict = Literal["ok", "warn", "fail"]

LOW_DISK_BYTES = 1 << 30  # warn under 1 GiB free
NET_TIMEOUT_S = 3.0
DOCTOR_RECRUITER = "hirecrew-doctor"
# Providers that speak the OpenAI API at a base_url (GET {base_url}/models lists the models).
OPENAI_COMPATIBLE = frozenset(
    {"openai", "hosted_vllm", "openrouter", "deepseek", "deepinfra", "cerebras", "ollama"}
)
# Where a provider's SDK finds its key when HIRECREW_LLM__API_KEY is not set.
KEY_VARIABLES: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "claude": ("ANTHROPIC_API_KEY",),
    "azure": ("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
    "azure_openai": ("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
    "google": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "bedrock": ("AWS_ACCESS_KEY_ID",),
    "aws": ("AWS_ACCESS_KEY_ID",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "cerebras": ("CEREBRAS_API_KEY",),
    "dashscope": ("DASHSCOPE_API_KEY",),
    "deepinfra": ("DEEPINFRA_API_KEY",),
}
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:)[^/@\s]+(?=@)")


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


def mask_url(url: str) -> str:
    """``scheme://user:secret@host/...`` with the password replaced by ``***``."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + "***", url)


def _secrets(settings: Settings) -> list[str]:
    """Every secret value in the settings (and the passwords inside its URLs)."""
    values = [
        settings.llm.api_key,
        settings.mail.password,
        settings.memory.url,
        settings.broker_url,
        settings.server.metrics_token,
        settings.tracing.headers,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    found.append(settings.database.url)
    passwords = [m.group(0) for u in found for m in [_URL_PASSWORD.search(u)] if m is not None]
    found += [p.rsplit(":", 1)[-1] for p in passwords]
    return [s for s in found if len(s) >= 4]


def _scrub(text: str, secrets: list[str]) -> str:
    text = mask_url(text)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "; ".join(line for line in lines if line)[:500]


def _guard(name: str, probe: Callable[[], Check]) -> Check:
    """A check that raised is a fail, with the exception as its reason."""
    try:
        return probe()
    except Exception as exc:  # a doctor reports; it does not crash
        return Check(name, "fail", f"{type(exc).__name__}: {exc}")


# --- the checks ----------------------------------------------------------------------------


def check_configuration(settings: Settings) -> tuple[Check, RoleConfig | None]:
    from config.errors import ConfigError
    from config.settings import active_config_dir
    from crews.catalog import check_llm_roles, load_config

    directory = active_config_dir(settings)
    try:
        config = load_config(directory)
        check_llm_roles(config, settings.llm)
    except ConfigError as exc:
        return Check("configuration", "fail", str(exc)), None
    return (
        Check(
            "configuration",
            "ok",
            f"{directory}: {len(config.agents)} agents, {len(config.tasks)} tasks, "
            f"{len(config.crews)} crews",
        ),
        config,
    )


def check_database(settings: Settings) -> Check:
    url = settings.database_url
    shown = mask_url(url)
    if not settings.database.url:
        path = settings.data_path / "hirecrew.db"
        if not path.exists():
            return Check(
                "database", "warn", f"{shown}: not created yet (the server creates it at start-up)"
            )
    from server.db.migrate import current_revision, head_revision

    head = head_revision()
    try:
        current = current_revision(url)
    except Exception as exc:
        return Check("database", "fail", f"{shown}: unreachable: {type(exc).__name__}: {exc}")
    if current is None:
        return Check("database", "warn", f"{shown}: reachable, never migrated (head {head})")
    if current == head:
        return Check("database", "ok", f"{shown}: reachable, at head ({head})")
    from alembic.script import ScriptDirectory

    from server.db.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        known = scripts.get_revision(current) is not None
    except Exception:
        known = False
    if known:
        return Check(
            "database",
            "warn",
            f"{shown}: at {current}, head is {head} (the server migrates at start-up)",
        )
    return Check(
        "database",
        "fail",
        f"{shown}: at revision {current}, unknown to this version (head {head}): "
        "is this hirecrew older than the database?",
    )


def check_data_dir(settings: Settings) -> list[Check]:
    data = settings.data_path
    existing = data
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if data.exists() and not data.is_dir():
        return [Check("data_dir", "fail", f"{data} is not a directory")]
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".doctor-"):
            pass
    except OSError as exc:
        return [Check("data_dir", "fail", f"{data}: not writable ({exc.strerror or exc})")]
    where = "writable" if data.exists() else f"will be created (under {existing}, writable)"
    checks = [Check("data_dir", "ok", f"{data}: {where}")]
    free = shutil.disk_usage(existing).free
    gib = free / (1 << 30)
    if free < LOW_DISK_BYTES:
        checks.append(Check("disk", "warn", f"{gib:.2f} GiB free at {existing} (under 1 GiB)"))
    else:
        checks.append(Check("disk", "ok", f"{gib:.1f} GiB free at {existing}"))
    return checks


def check_memory(settings: Settings) -> Check:
    if settings.memory.backend == "none":
        return Check("memory", "ok", "skipped: HIRECREW_MEMORY__BACKEND=none")
    from config.settings import quiet_environment

    quiet_environment(settings)
    from memory.mem0_backend import open_memory  # as the server opens it (imports mem0)

    found = open_memory(settings).search(DOCTOR_RECRUITER, "doctor check", limit=1)
    return Check(
        "memory",
        "ok",
        f"{settings.memory.vector_store} store opened and searched ({len(found)} hit(s))",
    )


def check_workers(settings: Settings) -> Check:
    if settings.worker != "celery":
        return Check("workers", "ok", "in-process thread pool (no broker)")
    url = settings.broker_url.get_secret_value()
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=NET_TIMEOUT_S, socket_timeout=NET_TIMEOUT_S
    )
    try:
        client.ping()
    except Exception as exc:
        return Check("workers", "fail", f"broker {mask_url(url)} unreachable: {exc}")
    finally:
        client.close()
    return Check("workers", "ok", f"celery broker {mask_url(url)} answers")


def models_in_use(settings: Settings, config: RoleConfig | None) -> list[str]:
    """Every distinct model string a role would use (settings first, then YAML)."""
    llm = settings.llm
    if config is None:
        models = {m for m in [llm.default, *llm.roles.values()] if m}
        return sorted(models) or ["offline"]
    return sorted(
        {llm.roles.get(key) or llm.default or agent.llm for key, agent in config.agents.items()}
    )


def check_model(settings: Settings, model: str) -> Check:
    name = f"llm:{model}"
    if model == "offline":
        return Check(name, "ok", "the embedded deterministic engine (no network)")
    provider = model.partition("/")[0]
    llm = settings.llm
    key = llm.api_key.get_secret_value() if llm.api_key is not None else None
    if llm.base_url and provider in OPENAI_COMPATIBLE:
        target = llm.base_url.rstrip("/") + "/models"
        request = urllib.request.Request(target, headers={"Accept": "application/json"})
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        try:
            with urllib.request.urlopen(request, timeout=NET_TIMEOUT_S) as answer:
                code = answer.status
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                return Check(name, "fail", f"GET {target}: {exc.code}: the API key was refused")
            return Check(name, "warn", f"GET {target}: answered {exc.code}")
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return Check(name, "fail", f"GET {target}: unreachable ({reason})")
        return Check(name, "ok", f"GET {target}: {code}")
    variables = KEY_VARIABLES.get(provider, ())
    if key or any(os.environ.get(v) for v in variables):
        return Check(name, "ok", "an API key is set (the provider was not called)")
    return Check(
        name,
        "warn",
        "not checked: no base_url to probe and no API key set (HIRECREW_LLM__API_KEY"
        + "".join(f" or {v}" for v in variables)
        + ")",
    )


def check_tracing(settings: Settings) -> Check:
    tracing = settings.tracing
    if not tracing.enabled:
        return Check("tracing", "ok", "off (HIRECREW_TRACING__ENABLED=false)")
    if tracing.exporter == "console":
        return Check("tracing", "ok", "on: spans printed to stdout (console exporter)")
    from urllib.parse import urlsplit

    target = urlsplit(tracing.endpoint)
    host = target.hostname or "localhost"
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=NET_TIMEOUT_S):
            pass
    except OSError as exc:
        return Check(
            "tracing", "fail", f"OTLP collector {mask_url(tracing.endpoint)} unreachable: {exc}"
        )
    return Check(
        "tracing", "ok", f"on: OTLP collector {mask_url(tracing.endpoint)} accepts connections"
    )


def check_mail(settings: Settings) -> Check:
    mail = settings.mail
    if not mail.enabled:
        return Check("mail", "ok", "disabled: confirmed messages wait in the outbox")
    timeout = min(mail.timeout_s, NET_TIMEOUT_S)
    try:
        with socket.create_connection((mail.host, mail.port), timeout=timeout):
            pass
    except OSError as exc:
        return Check("mail", "fail", f"SMTP {mail.host}:{mail.port} unreachable: {exc}")
    return Check("mail", "ok", f"SMTP {mail.host}:{mail.port} accepts connections")


def run_checks(data_dir: Path | None) -> list[Check]:
    from config.errors import ConfigError
    from config.settings import get_settings

    try:
        settings = get_settings()
    except ConfigError as exc:
        return [Check("settings", "fail", str(exc))]
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    checks = [Check("settings", "ok", f"loaded (data directory {settings.data_path})")]
    try:
        configuration, config = check_configuration(settings)
    except Exception as exc:
        configuration, config = Check("configuration", "fail", f"{type(exc).__name__}: {exc}"), None
    checks.append(configuration)
    checks.append(_guard("database", lambda: check_database(settings)))
    try:
        checks += check_data_dir(settings)
    except Exception as exc:
        checks.append(Check("data_dir", "fail", f"{type(exc).__name__}: {exc}"))
    checks.append(_guard("memory", lambda: check_memory(settings)))
    checks.append(_guard("workers", lambda: check_workers(settings)))
    for model in models_in_use(settings, config):
        checks.append(_guard(f"llm:{model}", partial(check_model, settings, model)))
    checks.append(_guard("mail", lambda: check_mail(settings)))
    checks.append(_guard("tracing", lambda: check_tracing(settings)))
    secrets = _secrets(settings)
    return [Check(c.name, c.verdict, _scrub(c.detail, secrets)) for c in checks]


COLORS = {"ok": typer.colors.GREEN, "warn": typer.colors.YELLOW, "fail": typer.colors.RED}


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    data_dir: DataDir = None,
) -> None:
    """Check settings, configuration, database, data directory, memory, workers, models and
    mail; exit 1 when any check fails."""
    checks = run_checks(data_dir)
    ok = all(c.verdict != "fail" for c in checks)
    if as_json:
        typer.echo(json.dumps({"checks": [asdict(c) for c in checks], "ok": ok}, indent=2))
    else:
        for c in checks:
            typer.secho(f"{c.verdict:4}  ", fg=COLORS[c.verdict], bold=True, nl=False)
            typer.echo(f"{c.name}: {c.detail}")
        failed = sum(c.verdict == "fail" for c in checks)
        warned = sum(c.verdict == "warn" for c in checks)
        typer.echo(f"\n{len(checks)} checks: {failed} failed, {warned} warnings")
    if not ok:
        raise typer.Exit(EXIT_FAILED)
