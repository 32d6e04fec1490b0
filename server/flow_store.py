"""crewai flow persistence in hirecrew's database, so a paused gate survives a restart and can be
resumed by any worker (any process or machine on the same database).

Same semantics as crewai's ``SQLiteFlowPersistence``: every checkpoint is a row of
``flow_states`` (``load_state`` returns the latest saved), and a flow paused at a human gate has
one ``flow_pending`` row with its feedback context and state until it is resumed.

One thing more: a gate is consumed once. ``clear_pending_feedback`` (crewai calls it when a
resumed flow has taken the feedback, before any further step runs) deletes the pending row this
object loaded, and raises ``GateError`` when another worker consumed it first, so two workers
resuming the same gate cannot both carry the run on. A gate saved later (the next stage's) is
never cleared by a stale resume.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crewai.flow.persistence.base import FlowPersistence
from crewai.flow.persistence.sqlite import _json_default
from pydantic import BaseModel, Field, PrivateAttr
from sqlalchemy import Engine, delete, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from crews.errors import GateError
from server.db.engine import write_transaction
from server.db.models import FlowPending, FlowState

if TYPE_CHECKING:
    from crewai.flow.async_feedback.types import PendingFeedbackContext

_TOKENS = 10_000  # the gates this object remembers having loaded (see clear_pending_feedback)


def _plain(data: Any) -> Any:
    """JSON data as crewai's SQLite persistence would store it (models, dates, sets...)."""
    return json.loads(json.dumps(data, default=_json_default))


def _to_state_dict(state_data: dict[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(state_data, BaseModel):
        try:
            return state_data.model_dump(mode="json")
        except Exception:  # what crewai does: some states hold values JSON mode refuses
            return state_data.model_dump(mode="python")
    if isinstance(state_data, dict):
        return state_data
    raise ValueError(
        f"state_data must be either a Pydantic BaseModel or dict, got {type(state_data)}"
    )


class SqlFlowPersistence(FlowPersistence):  # type: ignore[misc]
    """A crewai ``FlowPersistence`` on the ``flow_states`` and ``flow_pending`` tables.

    ``engine`` must be migrated (``server.db.migrate.upgrade``). One object may be shared by
    every thread of a process.
    """

    persistence_type: str = Field(default="SqlFlowPersistence")
    _engine: Engine = PrivateAttr()
    # flow id -> saved_at of the pending gate this object last loaded or saved for it
    _tokens: OrderedDict[str, datetime] = PrivateAttr(default_factory=OrderedDict)
    _tokens_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, engine: Engine, /, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._engine = engine
        self.init_db()

    @property
    def engine(self) -> Engine:
        return self._engine

    def init_db(self) -> None:
        """Check that the tables exist (the migrations create them, not this class)."""
        tables = set(inspect(self._engine).get_table_names())
        missing = {FlowState.__tablename__, FlowPending.__tablename__} - tables
        if missing:
            raise RuntimeError(
                f"the database lacks {', '.join(sorted(missing))}: "
                "run server.db.migrate.upgrade(engine) first"
            )

    # --- checkpoints ----------------------------------------------------------------------

    def save_state(
        self, flow_uuid: str, method_name: str, state_data: dict[str, Any] | BaseModel
    ) -> None:
        state = _plain(_to_state_dict(state_data))
        with write_transaction(self._engine) as conn:
            self._insert_state(conn, flow_uuid, method_name, state)

    @staticmethod
    def _insert_state(conn: Connection, flow_uuid: str, method: str, state: Any) -> None:
        conn.execute(
            insert(FlowState).values(
                flow_id=flow_uuid, method=method, state=state, saved_at=datetime.now(UTC)
            )
        )

    def load_state(self, flow_uuid: str) -> dict[str, Any] | None:
        with self._engine.connect() as conn:
            state = conn.execute(
                select(FlowState.state)
                .where(FlowState.flow_id == flow_uuid)
                .order_by(FlowState.id.desc())
                .limit(1)
            ).scalar()
        return state if isinstance(state, dict) else None

    # --- human gates ----------------------------------------------------------------------

    def save_pending_feedback(
        self,
        flow_uuid: str,
        context: PendingFeedbackContext,
        state_data: dict[str, Any] | BaseModel,
    ) -> None:
        state = _plain(_to_state_dict(state_data))
        values = {
            "context": _plain(context.to_dict()),
            "state": state,
            "saved_at": datetime.now(UTC),
        }
        with write_transaction(self._engine) as conn:
            self._insert_state(conn, flow_uuid, context.method_name, state)
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                upsert = (sqlite_insert if dialect == "sqlite" else pg_insert)(FlowPending)
                conn.execute(
                    upsert.values(flow_id=flow_uuid, **values).on_conflict_do_update(
                        index_elements=[FlowPending.flow_id], set_=values
                    )
                )
            else:
                conn.execute(delete(FlowPending).where(FlowPending.flow_id == flow_uuid))
                conn.execute(insert(FlowPending).values(flow_id=flow_uuid, **values))
        self._remember(flow_uuid, values["saved_at"])

    def load_pending_feedback(
        self, flow_uuid: str
    ) -> tuple[dict[str, Any], PendingFeedbackContext] | None:
        from crewai.flow.async_feedback.types import PendingFeedbackContext

        with self._engine.connect() as conn:
            row = conn.execute(
                select(FlowPending.state, FlowPending.context, FlowPending.saved_at).where(
                    FlowPending.flow_id == flow_uuid
                )
            ).first()
        if row is None:
            return None
        self._remember(flow_uuid, row.saved_at)
        return dict(row.state), PendingFeedbackContext.from_dict(dict(row.context))

    def clear_pending_feedback(self, flow_uuid: str) -> None:
        """Consume the gate this object loaded for ``flow_uuid``.

        Raises:
            GateError: another worker resumed this gate first.
        """
        with self._tokens_lock:
            token = self._tokens.get(flow_uuid)
        query = delete(FlowPending).where(FlowPending.flow_id == flow_uuid)
        if token is not None:
            query = query.where(FlowPending.saved_at == token)
        with write_transaction(self._engine) as conn:
            deleted = conn.execute(query).rowcount
        if token is not None and deleted == 0:
            raise GateError(f"run '{flow_uuid}' was resumed by another worker")

    def _remember(self, flow_uuid: str, saved_at: datetime) -> None:
        with self._tokens_lock:
            self._tokens[flow_uuid] = saved_at
            self._tokens.move_to_end(flow_uuid)
            while len(self._tokens) > _TOKENS:
                self._tokens.popitem(last=False)
