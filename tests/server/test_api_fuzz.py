"""Property-based fuzzing of every operation in the app's own OpenAPI document (schemathesis).

A real app (its lifespan, its database: SQLite in a temporary directory, and PostgreSQL with a
smaller budget) is called in process, over ASGI. Each operation gets generated requests that fit
its schema and requests that do not (wrong types, missing or extra fields, odd characters,
huge numbers), as a recruiter, an editor and an admin, and with no or a bad token. Whatever
comes in, the answer is never a 5xx; every 4xx is JSON with a ``detail`` message; status codes,
content types and bodies are the ones the OpenAPI document declares.

The worker pool is swapped for one that keeps the jobs it is given without running them: the
routes are the real ones, the crews just never start, so the fuzzer stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.server.api_support import add_user, api_settings, new_project, running_app

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 25  # per operation and generation mode (SQLite)
POSTGRES_EXAMPLES = 8
SEED = 20250101


class HeldJobs:
    """A worker pool that keeps the jobs it is given and runs none of them."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def submit(self, job: Any) -> None:
        self.jobs.append(job)

    def idle(self) -> bool:
        return True

    def shutdown(self) -> None:
        pass


class HttpOnly:
    """The app for schemathesis's ASGI client: HTTP goes to the app; the lifespan is ours (the
    test's TestClient runs it), so schemathesis gets an empty one."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self.app(scope, receive, send)


@dataclass
class Fuzzed:
    schema: Any
    app: Any
    headers: dict[str, dict[str, str]]
    ids: dict[str, str] = field(default_factory=dict)


@contextmanager
def fuzz_target(data_dir: Path, db_url: str = "") -> Iterator[Fuzzed]:
    with running_app(api_settings(data_dir, db_url)) as (client, app):
        ctx = app.state.ctx
        ctx.pool.shutdown()
        ctx.pool = HeldJobs()
        headers = {
            "recruiter": add_user(app, "Fay Fuzz"),
            "editor": add_user(app, "Ed Fuzz", role="editor"),
            "admin": add_user(app, "Ada Fuzz", role="admin"),
        }
        project = new_project(client, headers["recruiter"])
        queued = client.post(
            f"/api/projects/{project['id']}/runs", json={"stage": "intake"}, headers=headers["recruiter"]
        )
        assert queued.status_code == 202, queued.text
        imported = client.post(
            "/api/candidates",
            json={"text": "Dana Diaz, Python and PostgreSQL engineer in Berlin.", "name": "Dana"},
            headers=headers["recruiter"],
        )
        assert imported.status_code == 201, imported.text
        schema = schemathesis.openapi.from_asgi("/openapi.json", HttpOnly(app))
        yield Fuzzed(
            schema=schema,
            app=app,
            headers=headers,
            ids={
                "project_id": project["id"],
                "run_id": queued.json()["run_id"],
                "candidate_id": imported.json()["imported"][0],
            },
        )


def _problem_body(response: Any) -> None:
    """Every 4xx is JSON with a message for a person."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/json") or (
            "application/json" in str(response.headers.get("content-type"))
        ), f"{response.status_code} is not JSON: {response.headers}"
        body = response.json()
        assert isinstance(body, dict), body
        detail = body.get("detail")
        assert isinstance(detail, str) and detail.strip(), f"no message in {body!r}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(
    target: Fuzzed,
    *,
    headers: dict[str, str],
    examples: int,
    modes: tuple[Any, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    path_ids: bool = False,
    expect: Callable[[Any, Any], None] | None = None,
) -> list[str]:
    """Fuzz every operation; the failures, one line each."""
    failures: list[str] = []
    for result in target.schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            path_parameters = None
            if path_ids:
                path_parameters = {
                    p.name: target.ids[p.name]
                    for p in operation.path_parameters
                    if p.name in target.ids
                } or None

            @seed(SEED)
            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )
            @given(
                case=operation.as_strategy(
                    mode, headers=headers, path_parameters=path_parameters
                )
            )
            def run(case: Any) -> None:
                response = case.call()
                checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
                case.validate_response(response, checks=checks)
                _problem_body(response)
                if expect is not None:
                    expect(case, response)

            try:
                run()
            except Exception as exc:  # one line per operation, all operations tried
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures


@pytest.fixture(scope="module")
def sqlite_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    with fuzz_target(tmp_path_factory.mktemp("api-fuzz") / "data") as target:
        yield target


@pytest.mark.parametrize("role", ["recruiter", "editor", "admin"])
def test_fuzz_every_operation(sqlite_target: Fuzzed, role: str) -> None:
    failures = fuzz(sqlite_target, headers=sqlite_target.headers[role], examples=EXAMPLES)
    assert not failures, "\n\n".join(failures)
