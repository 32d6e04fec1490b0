"""deploy/compose.yaml and the Dockerfile, checked without Docker: every HIRECREW_ variable
is a real setting with a valid value, services and their dependencies fit together, and every
command the containers run exists."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
_INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _setting(name: str) -> bool:
    """Whether ``HIRECREW_A__B`` names a field of Settings (through nested models; any key
    below a dict field)."""
    parts = name.removeprefix("HIRECREW_").lower().split("__")
    model: type[BaseModel] = Settings
    for index, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            continue
        is_dict = getattr(annotation, "__origin__", None) is dict
        return index == len(parts) - 1 or (is_dict and index == len(parts) - 2)
    return False


def _interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} with example values."""

    def replace(match: re.Match[str]) -> str:
        _name, kind, rest = match.groups()
        return rest if kind == "-" else "example-value"

    return _INTERPOLATION.sub(replace, value)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def _dockerfile_env() -> dict[str, str]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_every_hirecrew_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    assert _setting("HIRECREW_LLM__ROLES__SCREENER") and not _setting("HIRECREW_LOG__COLOUR")
    names = set(_dockerfile_env())
    for service in compose["services"].values():
        names |= set(_environment(service))
    hirecrew = {n for n in names if n.startswith("HIRECREW_")}
    assert len(hirecrew) > 8
    unknown = sorted(n for n in hirecrew if not _setting(n))
    assert not unknown, f"not settings: {unknown}"


def test_the_hirecrew_services_build_valid_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    for name in ("api", "worker", "migrate"):
        env = {**_dockerfile_env(), **_environment(services[name])}
        for key in list(os.environ):
            if key.startswith("HIRECREW_"):
                monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("HIRECREW_"):
                monkeypatch.setenv(key, _interpolate(value))
        settings = Settings()
        assert settings.worker == "celery" and settings.log.format == "json"
        assert settings.database_url.startswith("postgresql+psycopg://hirecrew:")
        assert settings.database_url.endswith("@postgres:5432/hirecrew")
        assert settings.broker_url.get_secret_value() == "redis://redis:6379/0"
        assert settings.memory.vector_store == "pgvector"
        assert str(settings.data_dir) == "/data"
    # The API and the workers share one configuration (one anchor).
    assert _environment(services["api"]) == _environment(services["worker"])


def test_services_and_dependencies_fit(compose: dict[str, Any]) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    assert {"api", "worker", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert services["redis"]["image"].startswith("redis:")
    for name, service in services.items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = rule["condition"]
            assert condition in CONDITIONS
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
            if condition == "service_completed_successfully":
                assert services[target].get("restart") == "no"
    for name in ("api", "worker"):
        needs = set(services[name]["depends_on"])
        assert {"postgres", "redis", "migrate"} <= needs
        assert "healthcheck" in services[name]
    # Named volumes are declared; the API and the workers share the data directory.
    declared = set(compose.get("volumes") or {})
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, source
            else:
                assert (COMPOSE.parent / source).exists(), source
    assert "data:/data" in services["api"]["volumes"]
    assert "data:/data" in services["worker"]["volumes"]
    build = services["api"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def _cli() -> Any:
    from cli.main import app

    return typer.main.get_command(app)


def _check_command(argv: list[str]) -> None:
    group = _cli()
    if argv[:3] == ["python", "-m", "server.db.migrate"]:
        from server.db.migrate import main

        assert argv[3] in ("upgrade", "current")
        assert callable(main)
        return
    assert argv[0] == "hirecrew", argv
    command = group.commands.get(argv[1])
    assert command is not None, f"no `hirecrew {argv[1]}` command"
    options = {opt for param in command.params for opt in param.opts}
    for word in argv[2:]:
        if word.startswith("--"):
            assert word in options, f"`hirecrew {argv[1]}` has no {word}"


def test_the_commands_exist(compose: dict[str, Any]) -> None:
    cmd = next(
        line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")
    ).removeprefix("CMD ")
    _check_command(json.loads(cmd))
    for name in ("api", "worker", "migrate"):
        _check_command(compose["services"][name]["command"])
    healthcheck = compose["services"]["worker"]["healthcheck"]["test"][1]
    assert "-A server.celery_app" in healthcheck
    import importlib.util

    assert importlib.util.find_spec("server.celery_app") is not None
    api_check = " ".join(compose["services"]["api"]["healthcheck"]["test"])
    assert "/api/healthz" in api_check
    from server.routes.health import router

    assert any(getattr(r, "path", None) == "/healthz" for r in router.routes)
