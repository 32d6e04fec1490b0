"""Optional OpenTelemetry tracing of runs and requests (``HIRECREW_TRACING__*``; off by default).

When ``tracing.enabled`` is false, nothing here runs: no tracer provider, no middleware, no
event handler, nothing imported from OpenTelemetry. When it is true, ``configure(settings)``
builds this process's own ``TracerProvider`` (never the global one: crewai's telemetry and
FastAPI's native instrumentation stay off and cannot pick it up) exporting to an OTLP/HTTP
collector or the console, and these spans are made:

- ``{METHOD} {route template}`` (kind server) per HTTP request (``TraceRequests``), with the
  status, the request id, the user id and the project/run id of the path;
- ``stage {name}`` per stage attempt of a run (``TracedObserver``, from the flow's own
  ``stage_started``/``stage_settled`` hooks), with the run, flow and project ids, the attempt,
  its outcome and the tokens it spent;
- ``crew {name}`` per crew kickoff and ``llm {model}`` per model call, children of their stage
  (and crew), with the agent's role and token counts (``gen_ai.usage.*``). crewai's events are
  handled on a thread pool in any order, so they are collected while the stage runs and turned
  into spans, with the events' own times, when it settles.

Attributes are ids, names, counts and statuses; never a prompt, an output or an error message
(which may quote candidate text): a failure is recorded by its exception type.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from config.settings import Settings, TracingSettings
from crews.audit import current_run
from server.logs import RequestInfo, context_fields, current_request, route_template

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

    from crews.flow import HiringState
    from crews.observer import RunObserver

log = logging.getLogger(__name__)

FLUSH_TIMEOUT_S = 5.0
_CREW_START, _CREW_ENDS = "crew_kickoff_started", ("crew_kickoff_completed", "crew_kickoff_failed")
_LLM_START, _LLM_ENDS = "llm_call_started", ("llm_call_completed", "llm_call_failed")


@dataclass
class _OpenStage:
    span: Span
    ids: dict[str, str]
    events: list[Any] = field(default_factory=list)


class Tracing:
    """This process's tracer and the stages being traced (by flow id)."""

    def __init__(self, config: TracingSettings, provider: TracerProvider) -> None:
        self.config = config
        self.provider = provider
        self.tracer: Tracer = provider.get_tracer("hirecrew")
        self._lock = threading.Lock()
        self._stages: dict[str, _OpenStage] = {}

    def shutdown(self) -> None:
        """Export what is pending and stop."""
        self.provider.shutdown()

    def observe(self, observer: RunObserver | None) -> TracedObserver:
        """``observer`` (the server's run recorder), with a span per stage attempt."""
        return TracedObserver(self, observer)

    # --- stages -----------------------------------------------------------------------

    def stage_started(self, state: HiringState, stage: str) -> None:
        ids = {k: v for k, v in context_fields().items() if k != "request_id"}
        ids.setdefault("run_id", state.id)
        ids["flow_id"] = state.id
        ids["stage"] = stage
        if state.project is not None and state.project.project_id:
            ids.setdefault("project_id", state.project.project_id)
        attributes: dict[str, Any] = {f"hirecrew.{k}": v for k, v in ids.items()}
        attributes["hirecrew.attempt"] = state.stages[stage].attempts
        span = self.tracer.start_span(f"stage {stage}", attributes=attributes)
        with self._lock:
            self._stages[state.id] = _OpenStage(span=span, ids=ids)

    def stage_settled(self, state: HiringState, stage: str) -> None:
        # The kickoffs' last events may still wait in crewai's handler pool.
        from crewai.events import crewai_event_bus

        crewai_event_bus.flush(timeout=FLUSH_TIMEOUT_S)
        with self._lock:
            open_stage = self._stages.pop(state.id, None)
        if open_stage is None:
            return
        record = state.stages[stage]
        span = open_stage.span
        span.set_attribute("hirecrew.stage.status", str(record.status))
        span.set_attribute("hirecrew.review_rounds", record.review_rounds)
        span.set_attribute("gen_ai.usage.input_tokens", record.usage.prompt_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", record.usage.completion_tokens)
        span.set_attribute("hirecrew.llm_calls", record.usage.calls)
        if record.fallback:
            span.set_attribute("hirecrew.fallback", str(record.fallback)[:100])
        end = time.time_ns()
        self._children(open_stage, end)
        if str(record.status) == "failed":
            from opentelemetry.trace import Status, StatusCode

            kind = (record.error or "error").split(":", 1)[0][:100]
            span.set_status(Status(StatusCode.ERROR, kind))
            span.set_attribute("error.type", kind)
        span.end(end_time=end)

    def collect(self, event: Any) -> None:
        """Keep a crew or model event of a stage being traced (from crewai's handler)."""
        flow = current_run.get()
        if flow is None:
            return
        with self._lock:
            open_stage = self._stages.get(flow)
            if open_stage is not None:
                open_stage.events.append(event)

    def _children(self, open_stage: _OpenStage, stage_end: int) -> None:
        from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context

        events = sorted(open_stage.events, key=_order)
        starts = {e.event_id: e for e in events if e.type in (_CREW_START, _LLM_START)}
        ends: dict[str, Any] = {}
        for event in events:
            if event.type in _CREW_ENDS + _LLM_ENDS and event.started_event_id in starts:
                ends[event.started_event_id] = event
        stage_context = set_span_in_context(open_stage.span)
        common = {f"hirecrew.{k}": v for k, v in open_stage.ids.items()}
        crews: list[tuple[int, int, Span]] = []
        for start in events:
            if start.type != _CREW_START:
                continue
            end = ends.get(start.event_id)
            name = getattr(start, "crew_name", None) or "crew"
            span = self.tracer.start_span(
                f"crew {name}",
                context=stage_context,
                start_time=_ns(start),
                attributes={**common, "hirecrew.crew": str(name)},
            )
            if end is not None and isinstance(getattr(end, "total_tokens", None), int):
                span.set_attribute("hirecrew.total_tokens", end.total_tokens)
            if end is None or end.type == "crew_kickoff_failed":
                span.set_status(Status(StatusCode.ERROR, "crew kickoff failed"))
            crews.append((_seq(start), _seq(end) if end is not None else 1 << 62, span))
            span.end(end_time=_ns(end) if end is not None else stage_end)
        for start in events:
            if start.type != _LLM_START:
                continue
            end = ends.get(start.event_id)
            parent = next(
                (s for first, last, s in reversed(crews) if first <= _seq(start) <= last), None
            )
            model = str(getattr(start, "model", None) or "unknown")
            attributes: dict[str, Any] = {
                **common,
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": model,
            }
            role = getattr(start, "agent_role", None)
            if isinstance(role, str):
                attributes["hirecrew.agent_role"] = role[:100]
            usage = getattr(end, "usage", None) if end is not None else None
            if isinstance(usage, dict):
                for key, name in (
                    ("prompt_tokens", "gen_ai.usage.input_tokens"),
                    ("completion_tokens", "gen_ai.usage.output_tokens"),
                ):
                    if isinstance(usage.get(key), int | float):
                        attributes[name] = int(usage[key])
            span = self.tracer.start_span(
                f"llm {model}",
                context=set_span_in_context(parent) if parent is not None else stage_context,
                kind=SpanKind.CLIENT,
                start_time=_ns(start),
                attributes=attributes,
            )
            if end is None or end.type == "llm_call_failed":
                span.set_status(Status(StatusCode.ERROR, "model call failed"))
            span.end(end_time=_ns(end) if end is not None else stage_end)


def _ns(event: Any) -> int:
    at: datetime = event.timestamp
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp() * 1_000_000_000)


def _seq(event: Any) -> int:
    seq = getattr(event, "emission_sequence", None)
    return int(seq) if isinstance(seq, int) else 0


def _order(event: Any) -> tuple[int, int]:
    return _seq(event), _ns(event)


class TracedObserver:
    """A ``crews.observer.RunObserver`` that traces each stage attempt, then defers to the
    observer it wraps. Tracing must never fail a run: its errors are logged, not raised."""

    def __init__(self, tracing: Tracing, inner: RunObserver | None) -> None:
        self.tracing = tracing
        self.inner = inner

    def stage_started(self, state: HiringState, stage: str) -> None:
        if self.inner is not None:  # first: it names the stage's run row (server.logs)
            self.inner.stage_started(state, stage)
        try:
            self.tracing.stage_started(state, stage)
        except Exception:
            log.warning("could not start the span of stage %s", stage, exc_info=True)

    def stage_settled(self, state: HiringState, stage: str) -> None:
        if self.inner is not None:
            self.inner.stage_settled(state, stage)
        try:
            self.tracing.stage_settled(state, stage)
        except Exception:
            log.warning("could not end the span of stage %s", stage, exc_info=True)

    def run_ended(self, state: HiringState) -> None:
        if self.inner is not None:
            self.inner.run_ended(state)

    def stop_requested(self, flow_id: str) -> bool:
        return self.inner is not None and self.inner.stop_requested(flow_id)


# --- requests -------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class TraceRequests:
    """ASGI middleware: a server span per HTTP request (added only when tracing is on)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], tracing: Tracing):
        self.app = app
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from opentelemetry.trace import SpanKind, Status, StatusCode

        method = str(scope.get("method", "GET"))
        span = self.tracing.tracer.start_span(
            method,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.scheme": scope.get("scheme", "http")},
        )
        status = 500

        async def send_status(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            raise
        finally:
            route = route_template(scope)
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
            info: RequestInfo | None = current_request()
            if info is not None:
                span.set_attribute("hirecrew.request_id", info.request_id)
                if info.user_id is not None:
                    span.set_attribute("enduser.id", info.user_id)
            params = scope.get("path_params") or {}
            for name in ("project_id", "run_id"):
                if isinstance(params.get(name), str):
                    span.set_attribute(f"hirecrew.{name}", params[name])
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            span.end()


# --- set-up ---------------------------------------------------------------------------------

_lock = threading.Lock()
_active: Tracing | None = None
_handlers_registered = False


def active() -> Tracing | None:
    """This process's tracing, or None when off."""
    return _active


def configure(settings: Settings, *, exporter: SpanExporter | None = None) -> Tracing | None:
    """Turn tracing on for this process as ``settings.tracing`` says (None when it is off).

    Called by the server and each worker at start; a second call with the same tracing
    settings returns the first one's. ``exporter`` replaces the configured exporter (tests
    pass the SDK's ``InMemorySpanExporter``); its spans are exported as each one ends.
    """
    global _active
    config = settings.tracing
    with _lock:
        if not config.enabled:
            if _active is not None:
                _active.shutdown()
                _active = None
            return None
        if _active is not None and exporter is None and _active.config == config:
            return _active
        if _active is not None:
            _active.shutdown()
        _active = _build(config, exporter)
    _register_handlers()
    return _active


def shutdown() -> None:
    """Export what is pending and turn tracing off (the server's and tests' end)."""
    global _active
    with _lock:
        if _active is not None:
            _active.shutdown()
        _active = None


def _build(config: TracingSettings, exporter: SpanExporter | None) -> Tracing:
    # The SDK reads OTEL_SDK_DISABLED when a provider is made: hirecrew's tracing needs it
    # off (crewai's telemetry stays off through CREWAI_DISABLE_TELEMETRY, set regardless).
    os.environ["OTEL_SDK_DISABLED"] = "false"
    os.environ["CREWAI_DISABLE_TELEMETRY"] = "true"
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: config.service_name}),
        sampler=ParentBased(TraceIdRatioBased(config.sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif config.exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(
                OTLPSpanExporter(endpoint=config.endpoint, headers=_headers(config), timeout=10)
            )
        )
    return Tracing(config, provider)


def _headers(config: TracingSettings) -> dict[str, str]:
    if config.headers is None:
        return {}
    pairs = (p.partition("=") for p in config.headers.get_secret_value().split(","))
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip()}


def _register_handlers() -> None:
    """crewai's crew and model events go to the active tracing (once per process)."""
    global _handlers_registered
    with _lock:
        if _handlers_registered:
            return
        _handlers_registered = True
    from crewai.events import crewai_event_bus
    from crewai.events.types.crew_events import (
        CrewKickoffCompletedEvent,
        CrewKickoffFailedEvent,
        CrewKickoffStartedEvent,
    )
    from crewai.events.types.llm_events import (
        LLMCallCompletedEvent,
        LLMCallFailedEvent,
        LLMCallStartedEvent,
    )

    def handler(_source: Any, event: Any) -> None:
        tracing = _active
        if tracing is not None:
            tracing.collect(event)

    for event_class in (
        CrewKickoffStartedEvent,
        CrewKickoffCompletedEvent,
        CrewKickoffFailedEvent,
        LLMCallStartedEvent,
        LLMCallCompletedEvent,
        LLMCallFailedEvent,
    ):
        crewai_event_bus.register_handler(event_class, handler)
