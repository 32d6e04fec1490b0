"""``GET /metrics``: operational metrics in the Prometheus text format (0.0.4).

Nothing is counted in memory: a collector registered on a registry of this app queries the
database at scrape time, so every server (and every ``hirecrew worker``) on the same database
shows the same numbers, and a restart loses nothing. Families:

- ``hirecrew_runs{state,stage}`` (gauge): stage runs by status and stage.
- ``hirecrew_queue_depth`` (gauge): stage runs queued, not yet picked up by a worker.
- ``hirecrew_stage_duration_seconds{stage}`` (summary: count and sum): how long the runs that
  left ``queued``/``running`` took, ``updated_at - created_at`` (queue time included).
- ``hirecrew_gate_waiting_seconds`` (summary: count, sum) and
  ``hirecrew_gate_waiting_seconds_max`` (gauge): how long the runs awaiting a recruiter's review
  have waited (since their row last changed).
- ``hirecrew_llm_calls_total{model}`` and ``hirecrew_llm_tokens_total{model,kind}``
  (counters; kind prompt|completion): from the audit trail's ``llm_call_completed`` entries.
- ``hirecrew_outbox_messages{status}`` (gauge): outgoing e-mails by status.

Cost of a scrape: a handful of ``GROUP BY`` queries. The runs and outbox ones use their
status indexes; the LLM one reads every ``crewai_event`` entry of the audit table (found by
the ``kind`` index, aggregated in SQL with JSON extraction, nothing loaded into Python), so it
grows with the audit trail: scrape every 30-60 s, not every second. Payloads redacted by
retention or erasure no longer count.

Who may scrape: an admin's bearer token, or the scrape token ``HIRECREW_SERVER__METRICS_TOKEN``;
anything else is 401 (no or unknown token) or 403 (a signed-in user who is not an admin).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector
from sqlalchemy import Engine, Float, cast, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from server.auth import lookup
from server.db.models import AuditEvent, OutboxMessage, Run

router = APIRouter()

_bearer = HTTPBearer(auto_error=False)

ACTIVE = ("queued", "running")
AWAITING = "awaiting_review"


def _epoch(column: Any, dialect: str) -> ColumnElement[Any] | None:
    """Seconds since 1970 of a time column, in SQL; None where the dialect is not known."""
    if dialect == "sqlite":  # stored as UTC text: julianday() reads it
        return (func.julianday(column) - 2440587.5) * 86400.0
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return None


class DatabaseCollector(Collector):
    """Reads the metrics from the database on every ``collect()`` (a scrape)."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self._dialect = engine.dialect.name
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            yield from self._runs(session)
            yield from self._durations(session)
            yield from self._gates(session)
            yield from self._llm(session)
            yield from self._outbox(session)

    def _runs(self, session: Session) -> Iterator[Metric]:
        runs = GaugeMetricFamily(
            "hirecrew_runs", "Stage runs by status (state) and stage.", labels=["state", "stage"]
        )
        queued = 0
        rows = session.execute(
            select(Run.status, Run.stage, func.count()).group_by(Run.status, Run.stage)
        )
        for state, stage, count in rows:
            runs.add_metric([state, stage], count)
            if state == "queued":
                queued += count
        yield runs
        yield GaugeMetricFamily(
            "hirecrew_queue_depth", "Stage runs queued, not yet picked up.", value=queued
        )

    def _durations(self, session: Session) -> Iterator[Metric]:
        family = SummaryMetricFamily(
            "hirecrew_stage_duration_seconds",
            "How long finished stage runs took (updated_at - created_at), by stage.",
            labels=["stage"],
        )
        finished = Run.status.not_in(ACTIVE)
        created, updated = (
            _epoch(Run.created_at, self._dialect),
            _epoch(Run.updated_at, self._dialect),
        )
        if created is not None and updated is not None:
            rows = session.execute(
                select(Run.stage, func.count(), func.coalesce(func.sum(updated - created), 0.0))
                .where(finished)
                .group_by(Run.stage)
            )
            for stage, count, total in rows:
                family.add_metric([stage], count, max(float(total), 0.0))
        else:  # an unknown dialect: add up in Python
            counts: dict[str, int] = {}
            totals: dict[str, float] = {}
            for stage, start, end in session.execute(
                select(Run.stage, Run.created_at, Run.updated_at).where(finished)
            ):
                counts[stage] = counts.get(stage, 0) + 1
                totals[stage] = totals.get(stage, 0.0) + max((end - start).total_seconds(), 0.0)
            for stage in sorted(counts):
                family.add_metric([stage], counts[stage], totals[stage])
        yield family

    def _gates(self, session: Session) -> Iterator[Metric]:
        # Open gates are few (one per run at most): their times are read, not aggregated.
        now = datetime.now(UTC)
        ages = [
            max((now - at).total_seconds(), 0.0)
            for at in session.scalars(select(Run.updated_at).where(Run.status == AWAITING))
        ]
        yield SummaryMetricFamily(
            "hirecrew_gate_waiting_seconds",
            "How long the runs awaiting a recruiter's review have waited.",
            count_value=len(ages),
            sum_value=sum(ages),
        )
        yield GaugeMetricFamily(
            "hirecrew_gate_waiting_seconds_max",
            "The longest wait of a run awaiting review (0 when none waits).",
            value=max(ages, default=0.0),
        )

    def _llm(self, session: Session) -> Iterator[Metric]:
        calls = CounterMetricFamily(
            "hirecrew_llm_calls", "Completed LLM calls, by model.", labels=["model"]
        )
        tokens = CounterMetricFamily(
            "hirecrew_llm_tokens",
            "Tokens of completed LLM calls, by model and kind (prompt|completion).",
            labels=["model", "kind"],
        )
        model = AuditEvent.payload["model"].as_string()
        prompt = AuditEvent.payload[("usage", "prompt_tokens")].as_float()
        completion = AuditEvent.payload[("usage", "completion_tokens")].as_float()
        rows = session.execute(
            select(
                model,
                func.count(),
                func.coalesce(func.sum(prompt), 0.0),
                func.coalesce(func.sum(completion), 0.0),
            )
            .where(
                AuditEvent.kind == "crewai_event",
                AuditEvent.payload["event"].as_string() == "llm_call_completed",
            )
            .group_by(model)
        )
        for name, count, prompt_sum, completion_sum in rows:
            label = name or "unknown"
            calls.add_metric([label], count)
            tokens.add_metric([label, "prompt"], float(prompt_sum))
            tokens.add_metric([label, "completion"], float(completion_sum))
        yield calls
        yield tokens

    def _outbox(self, session: Session) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "hirecrew_outbox_messages", "Outgoing e-mails by status.", labels=["status"]
        )
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        for state, count in rows:
            family.add_metric([state], count)
        yield family


def _registry(request: Request) -> CollectorRegistry:
    """This app's registry (made on the first scrape): nothing global, nothing kept."""
    registry: CollectorRegistry | None = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        ctx = request.app.state.ctx
        registry = CollectorRegistry(auto_describe=False)
        registry.register(DatabaseCollector(ctx.engine, ctx.sessions))
        request.app.state.metrics_registry = registry
    return registry


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def scraper(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Admit the scrape token or an admin's token; 401/403 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized(
            "authentication required: send 'Authorization: Bearer <token>' with an admin's "
            "token or HIRECREW_SERVER__METRICS_TOKEN"
        )
    token = credentials.credentials
    configured = request.app.state.ctx.settings.server.metrics_token
    if configured is not None and hmac.compare_digest(
        token.encode("utf-8"), configured.get_secret_value().encode("utf-8")
    ):
        return
    sessions: sessionmaker[Session] = request.app.state.ctx.sessions
    with sessions() as session:
        principal = lookup(session, token)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    if not principal.is_admin:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"metrics need the admin role (or the scrape token); you are signed in as "
            f"{principal.role.value}",
        )


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(scraper)])
def metrics(request: Request) -> Response:
    """The metrics, read from the database now."""
    return Response(generate_latest(_registry(request)), media_type=CONTENT_TYPE_LATEST)
