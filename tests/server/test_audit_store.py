"""The audit table: a gap-free hash chain under concurrent threads and processes, tampering
found at the right entry, and what it keeps of each record."""

from __future__ import annotations

import json
import math
import multiprocessing
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text

from crews.audit import GENESIS, _digest, current_run, current_stage
from server.audit_store import MAX_TEXT, SqlAuditLog, payload_digest
from server.db.engine import make_engine, session_factory
from server.db.models import Project, User


def _assert_whole(log: SqlAuditLog, count: int) -> list[dict[str, Any]]:
    records = log.records()
    assert [r["seq"] for r in records] == list(range(1, count + 1))
    assert log.verify() == {"intact": True, "count": count, "head": records[-1]["hash"]}
    return records


def test_appends_chain_and_read_back(db_engine: Engine) -> None:
    log = SqlAuditLog(db_engine)
    assert log.verify() == {"intact": True, "count": 0, "head": GENESIS}
    first = log.append("note", run_id="r1", stage="intake", actor="u1", value=1)
    second = log.append("note", run_id="r2", value=[1, 2], nested={"a": {"b": None}})
    assert first["seq"] == 1 and first["prev_hash"] == GENESIS
    assert second["seq"] == 2 and second["prev_hash"] == first["hash"]
    assert first["payload"] == {"value": 1}
    assert first["actor"] == "u1" and first["stage"] == "intake"
    body = {k: v for k, v in second.items() if k not in ("prev_hash", "hash", "payload")}
    # The JSONL trail's canonical form, with the payload's own hash in place of the payload
    # (so that an erasure can redact it and the chain still verifies).
    chained = {**body, "payload_sha256": payload_digest(second["payload"])}
    assert second["hash"] == _digest(first["hash"], chained)
    assert datetime.fromisoformat(first["at"]).tzinfo == UTC
    records = _assert_whole(log, 2)
    assert records == [first, second]  # what append returned is what is stored
    assert log.records(run_id="r2") == [second]
    assert log.records(after_seq=1) == [second]
    assert log.records(limit=1) == [first]


def test_run_stage_and_project_come_from_the_context(db_engine: Engine) -> None:
    with session_factory(db_engine)() as session:
        session.add(User(id="u1", name="Dana", role="recruiter", token_hash="a" * 64))
        session.flush()  # the models have no relationships: the unit of work cannot order them
        session.add(
            Project(id="p1", owner_id="u1", title="t", company="c", intake_notes="n", flow_id="f1")
        )
        session.commit()
    log = SqlAuditLog(db_engine)
    run_token, stage_token = current_run.set("f1"), current_stage.set("sourcing")
    try:
        entry = log.append("stage_started", attempt=1)
        other = log.append("x", run_id="f2")
        explicit = log.append("y", project_id="p9")
    finally:
        current_run.reset(run_token)
        current_stage.reset(stage_token)
    assert (entry["run_id"], entry["stage"], entry["project_id"]) == ("f1", "sourcing", "p1")
    assert (other["run_id"], other["project_id"]) == ("f2", None)
    assert (explicit["run_id"], explicit["project_id"]) == ("f1", "p9")
    assert [r["seq"] for r in log.records(project_id="p1")] == [1]


def test_payloads_are_json_safe_and_clipped(db_engine: Engine) -> None:
    from pydantic import BaseModel

    class Thing(BaseModel):
        name: str
        when: datetime

    log = SqlAuditLog(db_engine)
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    entry = log.append(
        "odd",
        text="ü" * 10_000,
        model=Thing(name="x", when=moment),
        when=moment,
        numbers=(1, 2.5, math.inf, math.nan),
        keys={1: "one"},
        big=list(range(30_000)),
        thing=object,
    )
    payload = entry["payload"]
    assert payload["text"] == "ü" * MAX_TEXT + "... [10000 chars]"
    assert payload["model"] == {"name": "x", "when": "2026-03-01T09:30:00Z"}
    assert payload["when"] == "2026-03-01T09:30:00+00:00"
    assert payload["numbers"] == [1, 2.5, "inf", "nan"]
    assert payload["keys"] == {"1": "one"}
    assert isinstance(payload["big"], str) and payload["big"].endswith(" chars]")
    assert payload["thing"] == "<class 'object'>"
    assert log.records() == [entry]
    assert log.verify()["intact"] is True


def test_chain_stays_whole_under_many_threads(db_engine: Engine) -> None:
    log = SqlAuditLog(db_engine)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(50):
                log.append("note", run_id=f"t{worker}", value=i)
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = _assert_whole(log, 400)
    for worker in range(8):  # each thread's own entries are in its order
        mine = [r["payload"]["value"] for r in records if r["run_id"] == f"t{worker}"]
        assert mine == list(range(50))


def _append_from_process(url: str, worker: int) -> None:
    engine = make_engine(url)
    log = SqlAuditLog(engine)
    for i in range(50):
        log.append("note", run_id=f"p{worker}", value=i)
    engine.dispose()


def test_chain_stays_whole_under_many_processes(db_engine: Engine, db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_from_process, args=(db_url, n)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    records = _assert_whole(SqlAuditLog(db_engine), 100)
    assert {r["run_id"] for r in records} == {"p0", "p1"}


def _chain_of(engine: Engine, count: int) -> SqlAuditLog:
    log = SqlAuditLog(engine)
    for i in range(count):
        log.append("note", run_id="r", value=i)
    return log


def test_an_edited_entry_is_reported_at_its_seq(db_engine: Engine) -> None:
    log = _chain_of(db_engine, 6)
    with db_engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET payload = :p WHERE seq = 4"),
            {"p": json.dumps({"value": 99})},
        )
    result = log.verify()
    assert result == {
        "intact": False,
        "count": 3,
        "seq": 4,
        "reason": "its payload does not match its hash (edited)",
    }


def test_an_edited_column_is_reported_too(db_engine: Engine) -> None:
    log = _chain_of(db_engine, 3)
    with db_engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    assert log.verify()["seq"] == 2


def test_a_deleted_entry_is_reported_at_its_seq(db_engine: Engine) -> None:
    log = _chain_of(db_engine, 6)
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    result = log.verify()
    assert result == {
        "intact": False,
        "count": 2,
        "seq": 3,
        "reason": "entry 3 is missing (the next entry is 4)",
    }
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq < 3"))
    assert log.verify()["seq"] == 1


def test_a_rewritten_chain_is_reported_where_it_was_cut(db_engine: Engine) -> None:
    """Deleting an entry and renumbering the rest still breaks the chain of hashes."""
    log = _chain_of(db_engine, 5)
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        for seq in (3, 4, 5):
            conn.execute(
                text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": seq - 1, "o": seq}
            )
    result = log.verify()
    assert result["seq"] == 2
    assert result["reason"] == "its prev_hash does not match the hash of entry 1"
