"""One typed settings tree, read from ``HIRECREW_*`` environment variables.

Nested sections use ``__``: ``HIRECREW_DATABASE__URL``, ``HIRECREW_LLM__DEFAULT``,
``HIRECREW_LLM__ROLES__SCREENER``. Tests build their own ``Settings(...)`` and pass it in;
the app uses the cached ``get_settings()``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.errors import ConfigError
from config.providers import OFFLINE, model_problem


class DatabaseSettings(BaseModel):
    """Where hirecrew keeps its records; empty means SQLite under the data directory."""

    url: str = ""


class ModelPrice(BaseModel):
    """What a model costs, in US dollars per million tokens (the provider's list price)."""

    model_config = {"extra": "forbid"}

    prompt: float = Field(ge=0, le=10_000, description="USD per million prompt (input) tokens")
    completion: float = Field(
        ge=0, le=10_000, description="USD per million completion (output) tokens"
    )


class LLMSettings(BaseModel):
    """Which model plays each role.

    A model is any crewai model string (``openai/gpt-4o-mini``, ``anthropic/...``,
    ``ollama/llama3.1``, ``openai/<name>`` with ``base_url``) or ``offline``, the deterministic
    embedded engine. ``roles`` overrides the YAML ``llm:`` of a role by its agent key.
    """

    default: str | None = Field(
        default=None, description="overrides every role's YAML llm when set"
    )
    roles: dict[str, str] = Field(default_factory=dict)
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=120.0, gt=0, description="per model call")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="retries of a failed model call (with backoff)"
    )
    stage_attempts: int = Field(
        default=2,
        ge=1,
        le=5,
        description="how many times a stage crew is asked for a valid output before falling "
        "back (the next try is told what was wrong)",
    )
    fallback: Literal["offline", "none"] = Field(
        default="offline",
        description="offline: a stage whose model cannot produce a valid output is done by the "
        "deterministic engine, marked as such in the output and the audit log; none: the stage "
        "fails at its gate for the recruiter to retry",
    )
    max_tokens: int | None = Field(
        default=None, ge=16, le=65536, description="a cap on each model reply"
    )
    budget_tokens: int | None = Field(
        default=None,
        ge=1,
        description="tokens a run may spend in all (prompt + completion); past it the run "
        "stops cleanly before its next model call",
    )
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="price per model string, as JSON: "
        '{"openai/gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}; a model without a '
        "price has an unknown cost (null), never 0; the offline engine costs nothing",
    )
    budget_usd: float | None = Field(
        default=None,
        gt=0,
        description="US dollars a run may spend in all; past it the run stops cleanly before "
        "its next model call; needs a price for every model the run uses",
    )

    @field_validator("default")
    @classmethod
    def _known_default(cls, value: str | None) -> str | None:
        if value is not None and (problem := model_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        # Environment variable names arrive upper-cased on some platforms: keys are agent keys.
        roles = {key.lower(): model for key, model in value.items()}
        for key, model in roles.items():
            if problem := model_problem(model):
                raise ValueError(f"role '{key}': {problem}")
        return roles

    @field_validator("prices")
    @classmethod
    def _known_priced_models(cls, value: dict[str, ModelPrice]) -> dict[str, ModelPrice]:
        for model in value:
            if problem := model_problem(model):
                raise ValueError(f"price for '{model}': {problem}")
        return value

    @model_validator(mode="after")
    def _money_budget_needs_prices(self) -> LLMSettings:
        if self.budget_usd is None:
            return self
        configured = [self.default, *self.roles.values()]
        unpriced = sorted({m for m in configured if m and m != OFFLINE and m not in self.prices})
        if unpriced:
            raise ValueError(
                f"budget_usd needs a price for every model; none for {', '.join(unpriced)}: "
                "set HIRECREW_LLM__PRICES"
            )
        return self


class MemorySettings(BaseModel):
    """Experiential memory per recruiter (Mem0)."""

    backend: Literal["mem0", "none"] = "mem0"
    vector_store: Literal["embedded", "pgvector", "qdrant"] = Field(
        default="embedded",
        description="embedded: SQLite + exact per-recruiter scan under the data directory",
    )
    url: SecretStr | None = Field(
        default=None,
        description="pgvector: postgresql://user:pass@host:port/db; qdrant: http://host:port",
    )
    collection: str = Field(default="hirecrew_memories", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    recall_limit: int = Field(default=8, ge=0, le=50, description="memories recalled per stage")


class ServerSettings(BaseModel):
    """Limits and timings of the REST server (``HIRECREW_SERVER__...``)."""

    max_json_bytes: int = Field(
        default=1_000_000,
        gt=0,
        le=100_000_000,
        description="a request body (other than a resume upload) larger than this gets 413",
    )
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=200 * 1024 * 1024,
        description="the largest resume file accepted over REST (the ingestion pipeline reads "
        "files up to this size); a larger upload gets 413",
    )
    events_poll_s: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="how often a run's event stream (SSE) looks for new audit entries",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="a bearer token a Prometheus scraper may send to GET /metrics (besides an "
        "admin's token); unset: only admins may scrape",
    )
    plugin_modules: list[str] = Field(
        default_factory=list,
        description="packages whose 'module:Class' references a configuration change through "
        "the API may add (naming one imports it); tools installed with a hirecrew.tools entry "
        "point need none, and edits on disk or from the command line are not limited",
    )


class MailSettings(BaseModel):
    """Outgoing e-mail (HIRECREW_MAIL__...): outreach and rejection notices a recruiter
    confirmed go out through this SMTP server. Off by default: confirmed messages then wait in
    the outbox (nothing leaves the machine unless an operator configures it)."""

    enabled: bool = False
    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    from_address: str = Field(
        default="hirecrew@localhost",
        pattern=r"^[^@\s<>]+@[^@\s<>]+$",
        description="the envelope and From address",
    )
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_after_s: float = Field(
        default=60.0, gt=0, description="the first retry's delay; each next one doubles it"
    )
    poll_s: float = Field(default=5.0, gt=0, le=3600, description="how often the sender looks")


class RetentionSettings(BaseModel):
    """How long hirecrew keeps what (``hirecrew retention run``; HIRECREW_RETENTION__...).

    Off by default: until ``enabled``, a run only reports what it would do (fail-closed: a
    wrong period must not erase anyone by surprise).
    """

    enabled: bool = False
    candidate_days: int = Field(
        default=730,
        ge=30,
        description="a candidate is kept this long after their latest recruitment process "
        "(their import, or the last move of any of their applications), then quarantined",
    )
    quarantine_days: int = Field(
        default=30,
        ge=0,
        description="a quarantined candidate (out of every search) is erased after this; "
        "any new activity or a legal hold takes them out of quarantine",
    )
    audit_days: int = Field(
        default=730,
        ge=183,
        description="audit payloads older than this are redacted (the chain stays); at least "
        "183 days: the EU AI Act keeps deployers' logs 6 months (Art. 19, 26(6))",
    )
    memory_days: int | None = Field(
        default=None,
        ge=1,
        description="a recruiter memory not updated for this long is forgotten; unset: kept "
        "until the recruiter deletes it",
    )


class LogSettings(BaseModel):
    """Logs of the long-running commands, ``hirecrew serve`` and ``hirecrew worker``
    (``HIRECREW_LOG__...``), on stderr.

    json (the default): one JSON object per line (time, level, logger, message, and the run,
    project, stage, request and user ids when known) for a log collector; text: one readable
    line each, for a terminal. Either way secrets are masked and free text from risky fields
    (resumes, prompts, model output) is withheld (``server.logs``).
    """

    format: Literal["json", "text"] = "json"
    level: Literal["debug", "info", "warning", "error"] = Field(
        default="info",
        description="hirecrew's own loggers and most libraries'; those that log rows or "
        "request bodies (SQLAlchemy, model SDKs, PDF parsers) stay at warning or info",
    )

    @field_validator("level", mode="before")
    @classmethod
    def _lower_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class TracingSettings(BaseModel):
    """OpenTelemetry tracing of runs and requests (``HIRECREW_TRACING__...``); off by default.

    Spans: each HTTP request, each stage of a run, each crew kickoff and each model call, with
    run and project ids and token counts as attributes, never candidate text.
    """

    enabled: bool = False
    exporter: Literal["otlp-http", "console"] = Field(
        default="otlp-http", description="otlp-http: to an OTLP/HTTP collector; console: stdout"
    )
    endpoint: str = Field(
        default="http://127.0.0.1:4318/v1/traces",
        pattern=r"^https?://",
        description="the collector's OTLP/HTTP traces URL",
    )
    headers: SecretStr | None = Field(
        default=None,
        description="sent to the collector, comma-separated name=value pairs (e.g. an API key)",
    )
    service_name: str = Field(default="hirecrew", min_length=1, max_length=100)
    sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="the share of traces kept (1: all)"
    )


class Settings(BaseSettings):
    """Everything hirecrew reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="HIRECREW_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path(".hirecrew")
    config_dir: Path | None = Field(
        default=None, description="directory of agents/tasks/crews YAML; default: bundled"
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    max_review_rounds: int = Field(default=2, ge=0, le=5)
    # The memory embedder's files are not here but in $HIRECREW_MODEL_CACHE (default
    # ~/.cache/hirecrew/models): one copy per machine, shared by every data directory, read by
    # domain.mpnet_files, which sits below config and sees no settings.
    cache_dir: Path | None = Field(
        default=None,
        description="derived data that can be rebuilt (search indexes); default: <data>/cache",
    )
    screen_top: int = Field(
        default=25, ge=1, le=500, description="screened candidates the agents (and LLM) see"
    )
    # --- stage runs: where they execute, and how a dead worker is noticed ----------------
    worker: Literal["inprocess", "celery"] = Field(
        default="inprocess",
        description="inprocess: a thread pool in the API server; celery: queued to Redis and "
        "run by `hirecrew worker` processes (any number, on any machine sharing the database)",
    )
    broker_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="the Celery broker (worker = celery): redis://[:password@]host:port/db",
    )
    worker_queue: str = Field(
        default="hirecrew",
        pattern=r"^[A-Za-z0-9_.:-]{1,100}$",
        description="the Celery queue the API sends stage runs to and the workers consume",
    )
    heartbeat_s: float = Field(
        default=10.0, gt=0, le=600, description="how often a running stage marks itself alive"
    )
    heartbeat_stale_s: float = Field(
        default=60.0,
        gt=0,
        description="a running stage silent this long is dead (its worker was killed): its "
        "gate opens again, marked failed, for the recruiter to retry",
    )

    requeue_after_s: float = Field(
        default=600.0,
        gt=0,
        description="a stage run still queued this long is queued again (its job was lost, "
        "e.g. the broker was down); jobs are idempotent, so a slow queue only costs a no-op",
    )

    @model_validator(mode="after")
    def _stale_after_beats(self) -> Settings:
        if self.heartbeat_stale_s <= 2 * self.heartbeat_s:
            raise ValueError(
                f"heartbeat_stale_s ({self.heartbeat_stale_s}) must be more than twice "
                f"heartbeat_s ({self.heartbeat_s}), or live stages would look dead"
            )
        if self.requeue_after_s <= self.heartbeat_stale_s:
            raise ValueError(
                f"requeue_after_s ({self.requeue_after_s}) must be more than "
                f"heartbeat_stale_s ({self.heartbeat_stale_s})"
            )
        return self

    @property
    def data_path(self) -> Path:
        """The absolute data directory; everything the app writes goes under it."""
        return self.data_dir.expanduser().resolve()

    @property
    def database_url(self) -> str:
        """The configured database URL, or SQLite in the data directory."""
        return self.database.url or f"sqlite:///{self.data_path / 'hirecrew.db'}"

    @property
    def cache_path(self) -> Path:
        """Where rebuildable data lives: search indexes keyed by what they index."""
        return (self.cache_dir or self.data_path / "cache").expanduser().resolve()

    @property
    def audit_path(self) -> Path:
        return self.data_path / "audit.jsonl"

    @property
    def flows_db_path(self) -> Path:
        return self.data_path / "flows.db"

    @property
    def memory_path(self) -> Path:
        """Mem0's files: the embedded vector store and the history database."""
        return self.data_path / "mem0"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, validated once; a bad variable is named in the error."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"HIRECREW_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc


def quiet_environment(settings: Settings) -> None:
    """Keep crewai and Mem0 offline and quiet, with their files under the data directory.

    Must run before ``crewai`` or ``mem0`` is imported: both read these at import time.
    """
    data = settings.data_path
    data.mkdir(parents=True, exist_ok=True)
    os.environ["CREWAI_DISABLE_TELEMETRY"] = "true"
    os.environ["CREWAI_TRACING_ENABLED"] = "false"
    os.environ["CREWAI_DISABLE_VERSION_CHECK"] = "true"
    # crewai's own telemetry stays off through CREWAI_DISABLE_TELEMETRY either way; the SDK
    # itself is disabled unless hirecrew's tracing (server.tracing) is on.
    os.environ["OTEL_SDK_DISABLED"] = "false" if settings.tracing.enabled else "true"
    os.environ["MEM0_TELEMETRY"] = "false"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["CREWAI_STORAGE_DIR"] = str(data / "crewai")
    os.environ["MEM0_DIR"] = str(data / "mem0")


CONFIG_FILES = ("agents.yaml", "tasks.yaml", "crews.yaml")


def active_config_dir(settings: Settings) -> Path:
    """Where the configuration in force is read from: ``HIRECREW_CONFIG_DIR`` when set; else
    ``<data>/config`` once a change was written there (the server keeps it at the newest
    version); else the bundled defaults."""
    from config import DEFAULT_CONFIG_DIR

    if settings.config_dir is not None:
        return settings.config_dir.expanduser().resolve()
    edited = settings.data_path / "config"
    if all((edited / name).is_file() for name in CONFIG_FILES):
        return edited.resolve()
    return DEFAULT_CONFIG_DIR
