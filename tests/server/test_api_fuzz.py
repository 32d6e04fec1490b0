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

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from server.db.models import Run
from tests.server.api_support import add_user, api_settings, new_project, running_app

# A body over the limit is refused before it is read (413), whatever it holds.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 409, 413, 415, 422]
            }
        }
    }
)
# Per operation and generation mode; HIRECREW_FUZZ_EXAMPLES raises both for a longer hunt.
EXAMPLES = int(os.environ.get("HIRECREW_FUZZ_EXAMPLES", "25"))
POSTGRES_EXAMPLES = int(os.environ.get("HIRECREW_FUZZ_EXAMPLES", "8"))
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
            f"/api/projects/{project['id']}/runs",
            json={"stage": "intake"},
            headers=headers["recruiter"],
        )
        assert queued.status_code == 202, queued.text
        imported = client.post(
            "/api/candidates",
            json={"text": "Dana Diaz, Python and PostgreSQL engineer in Berlin.", "name": "Dana"},
            headers=headers["recruiter"],
        )
        assert imported.status_code == 201, imported.text
        with app.state.ctx.writes() as session:  # settled: its event stream ends at once
            settled = Run(project_id=project["id"], stage="intake", attempt=1, status="failed")
            session.add(settled)
            session.commit()
            settled_id = settled.id
        schema = schemathesis.openapi.from_asgi("/openapi.json", HttpOnly(app), config=CONFIG)
        yield Fuzzed(
            schema=schema,
            app=app,
            headers=headers,
            ids={
                "project_id": project["id"],
                "run_id": queued.json()["run_id"],
                "candidate_id": imported.json()["imported"][0],
                "GET /api/runs/{run_id}/events run_id": settled_id,
            },
        )


def _problem_body(response: Any) -> None:
    """Every 4xx is JSON with a message for a person."""
    if 400 <= response.status_code < 500:
        kind = (response.headers.get("content-type") or [""])[0]
        assert kind.startswith("application/json"), f"{response.status_code} is {kind!r}"
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


def _describe(exc: BaseException) -> str:
    parts = [str(exc), *getattr(exc, "__notes__", [])]
    if isinstance(exc, BaseExceptionGroup):
        parts += [_describe(sub) for sub in exc.exceptions]
    return "\n".join(p for p in parts if p)


def fuzz_operation(
    operation: Any,
    mode: Any,
    *,
    headers: dict[str, str],
    examples: int,
    path_parameters: dict[str, str] | None = None,
    expect: Callable[[Any, Any], None] | None = None,
) -> None:
    """Send ``examples`` generated requests to one operation; raise on the first bad answer."""
    checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
    strategy = operation.as_strategy(mode, headers=headers, path_parameters=path_parameters)

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
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call()
        case.validate_response(response, checks=checks)
        _problem_body(response)
        if expect is not None:
            expect(case, response)

    run()


def fuzz(
    target: Fuzzed,
    *,
    headers: dict[str, str],
    examples: int,
    modes: tuple[Any, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    path_ids: bool = False,
    expect: Callable[[Any, Any], None] | None = None,
) -> list[str]:
    """Fuzz every operation; the failures, one paragraph each."""
    failures: list[str] = []
    for result in target.schema.get_all_operations():
        operation = result.ok()
        fixed = None
        if path_ids:
            fixed = {}
            for parameter in operation.path_parameters:
                name = parameter.name
                special = f"{operation.label} {name}"
                if special in target.ids or name in target.ids:
                    fixed[name] = target.ids.get(special, target.ids.get(name))
            fixed = fixed or None
        for mode in modes:
            try:
                fuzz_operation(
                    operation,
                    mode,
                    headers=headers,
                    examples=examples,
                    path_parameters=fixed,
                    expect=expect,
                )
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried
                failures.append(f"{operation.label} [{mode.value}]: {_describe(exc)}")
    return failures


@pytest.fixture(scope="module")
def sqlite_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    with fuzz_target(tmp_path_factory.mktemp("api-fuzz") / "data") as target:
        yield target


@pytest.mark.parametrize("role", ["recruiter", "editor", "admin"])
def test_fuzz_every_operation(sqlite_target: Fuzzed, role: str) -> None:
    failures = fuzz(sqlite_target, headers=sqlite_target.headers[role], examples=EXAMPLES)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", ["recruiter", "admin"])
def test_fuzz_on_things_that_exist(sqlite_target: Fuzzed, role: str) -> None:
    """Path parameters naming a real project, run and candidate: the bodies and queries reach
    the services (a decision on a queued run, a stage asked for out of turn, ...)."""
    failures = fuzz(
        sqlite_target, headers=sqlite_target.headers[role], examples=EXAMPLES, path_ids=True
    )
    assert not failures, "\n\n".join(failures)


def _refused_unless_public(case: Any, response: Any) -> None:
    if case.operation.path == "/api/healthz":
        return
    # Malformed JSON and oversized bodies are refused before the caller is looked at.
    assert response.status_code in (400, 401, 413, 422), response.status_code
    if case.meta is not None and case.meta.generation.mode.is_positive:
        assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    "authorization", [None, "Bearer hc_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "]
)
def test_fuzz_without_a_valid_token(sqlite_target: Fuzzed, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    failures = fuzz(
        sqlite_target,
        headers=headers,
        examples=EXAMPLES // 3,
        path_ids=True,
        expect=_refused_unless_public,
    )
    assert not failures, "\n\n".join(failures)


def test_fuzz_on_postgresql(tmp_path: Path, new_postgres_database: Callable[[], str]) -> None:
    """The same on PostgreSQL (stricter than SQLite: column lengths, NUL bytes), with fewer
    examples."""
    with fuzz_target(tmp_path / "data", new_postgres_database()) as target:
        failures = []
        for role in ("recruiter", "admin"):
            for path_ids in (False, True):
                failures += fuzz(
                    target,
                    headers=target.headers[role],
                    examples=POSTGRES_EXAMPLES,
                    path_ids=path_ids,
                )
    assert not failures, "\n\n".join(failures)
