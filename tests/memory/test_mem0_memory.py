"""Mem0Memory on the embedded store: real Mem0 2.2.1, real MiniLM, no mocks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from config.settings import LLMSettings, MemorySettings, Settings
from memory.base import (
    MemoryBackendError,
    MemoryNotFoundError,
    MemoryRecord,
    RecruiterMemory,
)
from memory.mem0_backend import (
    HNSW_OPTIONS,
    Mem0Memory,
    MemoryRequestError,
    close_memories,
    llm_plan,
    open_memory,
    pg_conninfo,
)
from tests.memory.conftest import files_containing, offline_settings

FINTECH = "Prefers candidates with fintech experience"
NOTES = [
    (FINTECH, {"kind": "preference", "key": "industry"}),
    ("Never send more than five candidates per shortlist", {"kind": "preference"}),
    ("The Berlin office interviews only on Tuesdays and Thursdays", {"kind": "note"}),
]
BOB_SECRET = "Bob is quietly hiring a replacement for his CTO"


def texts(records: list[MemoryRecord]) -> list[str]:
    return [r.text for r in records]


def history_rows(settings: Settings, memory_id: str) -> int:
    with sqlite3.connect(settings.memory_path / "history.db") as conn:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM history WHERE memory_id = ?", (memory_id,)
        ).fetchone()
    return int(count)


def test_is_a_recruiter_memory(memory: Mem0Memory) -> None:
    assert isinstance(memory, RecruiterMemory)
    assert memory.can_infer is False


def test_round_trip(memory: Mem0Memory) -> None:
    added = [memory.add("alice", text, meta)[0] for text, meta in NOTES]
    first = added[0]
    assert (first.recruiter_id, first.text, first.metadata) == ("alice", FINTECH, NOTES[0][1])
    assert first.created_at is not None and first.id

    assert texts(memory.list("alice")) == [t for t, _ in reversed(NOTES)]  # newest first
    assert memory.get("alice", first.id) == first

    found = memory.search("alice", "fintech experience", limit=2)
    assert found[0].id == first.id and found[0].score is not None
    assert len(found) == 2

    updated = memory.update("alice", first.id, "Prefers candidates from insurtech", {"kind": "x"})
    assert (updated.text, updated.metadata) == ("Prefers candidates from insurtech", {"kind": "x"})
    assert updated.created_at == first.created_at
    assert updated.updated_at is not None and updated.updated_at > first.created_at  # type: ignore[operator]
    assert memory.search("alice", "insurance technology", limit=1)[0].id == first.id
    kept = memory.update("alice", first.id, "Prefers insurtech candidates")  # metadata kept
    assert kept.metadata == {"kind": "x"}

    memory.delete("alice", first.id)
    with pytest.raises(MemoryNotFoundError):
        memory.get("alice", first.id)
    assert len(memory.list("alice")) == 2
    assert memory.delete_all("alice") == 2
    assert memory.list("alice") == []
    assert memory.search("alice", "anything at all") == []


def test_search_finds_a_paraphrase(memory: Mem0Memory) -> None:
    for text, meta in NOTES:
        memory.add("alice", text, meta)
    assert memory.search("alice", "background in financial technology", limit=3)[0].text == (
        FINTECH
    )
    assert "Tuesdays" in memory.search("alice", "which days can Berlin run interviews?")[0].text
    # A weak match still comes back (threshold 0): the limit, not a cut-off, bounds recall.
    assert len(memory.search("alice", "xylophone", limit=3)) == 3
    assert memory.search("alice", "fintech", limit=0) == []


def test_metadata_filters(memory: Mem0Memory) -> None:
    for text, meta in NOTES:
        memory.add("alice", text, meta)
    memory.add("alice", "Counts as a flag", {"kind": "note", "urgent": True, "round": 2})
    preferences = memory.list("alice", filters={"kind": "preference"})
    assert {r.text for r in preferences} == {t for t, m in NOTES if m["kind"] == "preference"}
    hits = memory.search("alice", "Berlin interviews", filters={"kind": "preference"})
    assert hits and all(r.metadata["kind"] == "preference" for r in hits)
    assert texts(memory.list("alice", filters={"urgent": True})) == ["Counts as a flag"]
    assert texts(memory.list("alice", filters={"round": 2, "kind": "note"})) == ["Counts as a flag"]
    assert memory.list("alice", filters={"urgent": 1}) == []  # a bool is not a number
    assert len(memory.list("alice", limit=2)) == 2


@pytest.mark.parametrize(
    "bad", ["*", "", " alice", "alice ", "al ice", "al*", "%", "alice\n", "x" * 129]
)
def test_malformed_recruiter_ids_are_refused(memory: Mem0Memory, bad: str) -> None:
    memory.add("alice", FINTECH)
    calls: list[Callable[[], object]] = [
        lambda: memory.add(bad, "text"),
        lambda: memory.search(bad, "fintech"),
        lambda: memory.list(bad),
        lambda: memory.delete_all(bad),
    ]
    for call in calls:
        with pytest.raises(MemoryRequestError):
            call()
    assert len(memory.list("alice")) == 1


def test_recruiters_are_isolated(memory: Mem0Memory) -> None:
    alice = memory.add("alice", FINTECH, {"kind": "preference"})[0]
    bob = memory.add("bob", BOB_SECRET, {"kind": "note"})[0]

    # A query quoting Bob's text finds only Alice's memory.
    assert [r.id for r in memory.search("alice", BOB_SECRET, limit=10)] == [alice.id]
    assert [r.id for r in memory.list("alice")] == [alice.id]

    # Bob's id is "not found" for Alice, with the same message as an unknown id.
    unknown = "00000000-0000-4000-8000-000000000000"
    for call in (
        lambda memory_id: memory.get("alice", memory_id),
        lambda memory_id: memory.update("alice", memory_id, "overwritten by alice"),
        lambda memory_id: memory.delete("alice", memory_id),
    ):
        messages = []
        for memory_id in (bob.id, unknown, "not-a-uuid", bob.id.upper()):
            with pytest.raises(MemoryNotFoundError) as caught:
                call(memory_id)
            messages.append(str(caught.value).replace(memory_id, "ID"))
        assert len(set(messages)) == 1

    # Filters and metadata cannot name the recruiter, nor use wildcards.
    for filters in ({"user_id": "bob"}, {"user_id": "*"}, {"kind": "*"}, {"agent_id": "x"}):
        with pytest.raises(MemoryRequestError):
            memory.search("alice", "hiring", filters=filters)
        with pytest.raises(MemoryRequestError):
            memory.list("alice", filters=filters)
    for metadata in ({"user_id": "bob"}, {"data": "x"}, {"created_at": "2020"}, {"$or": 1}):
        with pytest.raises(MemoryRequestError):
            memory.add("alice", "sneaky", metadata)

    assert memory.delete_all("alice") == 1
    assert memory.get("bob", bob.id).text == BOB_SECRET
    assert texts(memory.search("bob", "CTO replacement")) == [BOB_SECRET]


def test_bad_inputs_are_request_errors(memory: Mem0Memory) -> None:
    calls: list[Callable[[], object]] = [
        lambda: memory.add("alice", "   "),
        lambda: memory.add("alice", "ok", {"nested": {"a": 1}}),  # type: ignore[dict-item]
        lambda: memory.search("alice", ""),
        lambda: memory.search("alice", "ok", limit=-1),
    ]
    for call in calls:
        with pytest.raises(MemoryRequestError) as caught:
            call()
        assert isinstance(caught.value, ValueError)


def test_delete_erases_the_text_from_every_file(memory: Mem0Memory, settings: Settings) -> None:
    secret = "Candidate Wallace Okonkwo disclosed a pending lawsuit"
    record = memory.add("alice", secret, {"kind": "note"})[0]
    memory.update("alice", record.id, secret + " (confirmed)")
    keep = memory.add("alice", FINTECH)[0]
    bob = memory.add("bob", BOB_SECRET)[0]
    assert files_containing(settings.memory_path, "Wallace Okonkwo")
    assert history_rows(settings, record.id) == 2  # ADD and UPDATE, both with the text

    memory.delete("alice", record.id)

    assert files_containing(settings.memory_path, "Wallace Okonkwo") == []
    assert history_rows(settings, record.id) == 0
    assert memory.get("alice", keep.id).text == FINTECH
    assert history_rows(settings, bob.id) == 1

    assert memory.delete_all("alice") == 1
    assert files_containing(settings.memory_path, "fintech experience") == []
    assert memory.get("bob", bob.id).text == BOB_SECRET


def test_memories_survive_a_restart(settings: Settings) -> None:
    first = Mem0Memory(settings)
    added = first.add("alice", FINTECH, {"kind": "preference"})[0]
    first.close()
    with pytest.raises(MemoryBackendError, match="closed"):
        first.list("alice")
    second = Mem0Memory(settings)
    try:
        assert second.get("alice", added.id) == added
        assert second.search("alice", "financial technology")[0].id == added.id
    finally:
        second.close()


CHILD = """
import sys
from config.settings import LLMSettings, Settings
from memory.mem0_backend import open_memory, close_memories
memory = open_memory(Settings(data_dir=sys.argv[1], llm=LLMSettings()))
print(memory.add("alice", sys.argv[2])[0].id)
close_memories()
"""


def test_another_process_writes_are_seen(memory: Mem0Memory, settings: Settings) -> None:
    """The parent's cached matrix for Alice is reloaded after a child process adds."""
    memory.add("alice", FINTECH)
    assert len(memory.search("alice", "fintech")) == 1  # cache Alice's vectors
    text = "Wants a weekly pipeline summary every Monday morning"
    env = {**os.environ, "HIRECREW_DATA_DIR": str(settings.data_path)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(settings.data_path), text],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert child.returncode == 0, child.stderr
    child_id = child.stdout.strip().splitlines()[-1]
    assert memory.search("alice", "Monday pipeline report", limit=1)[0].id == child_id
    assert len(memory.list("alice")) == 2


def test_eight_threads_add_concurrently(memory: Mem0Memory) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(60):
                memory.add("alice", f"worker {worker} note {i}: candidate code {worker * 100 + i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = memory.list("alice")
    assert len(stored) == 480 and len({r.id for r in stored}) == 480
    for record in stored:
        assert memory.search("alice", record.text, limit=1)[0].id == record.id


def test_infer_falls_back_offline(memory: Mem0Memory) -> None:
    records = memory.add("alice", "Send me candidates from Lisbon", infer=True)
    assert texts(records) == ["Send me candidates from Lisbon"]


class _StubLLM(BaseHTTPRequestHandler):
    """An OpenAI-protocol chat endpoint on loopback that "extracts" one fixed fact."""

    fact = "Recruiter prefers candidates who have shipped payment systems"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        content = json.dumps({"memory": [{"text": self.fact}]})
        body = json.dumps(
            {
                "id": "stub",
                "object": "chat.completion",
                "created": 0,
                "model": "stub",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def stub_llm_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _StubLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_infer_with_a_real_llm_and_its_erasure(tmp_path: Path, stub_llm_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path,
        llm=LLMSettings(default="openai/stub", base_url=stub_llm_url, api_key=SecretStr("k")),
        memory=MemorySettings(),
    )
    memory = Mem0Memory(settings)
    try:
        assert memory.can_infer
        said = "I only want people who built card payment platforms, like Adyen alumni"
        records = memory.add("alice", said, infer=True)
        assert texts(records) == [_StubLLM.fact]
        assert files_containing(settings.memory_path, "Adyen alumni")  # Mem0's message log
        memory.delete("alice", records[0].id)
        assert files_containing(settings.memory_path, "Adyen alumni") == []
        assert files_containing(settings.memory_path, "payment systems") == []
    finally:
        memory.close()


def test_open_memory_is_one_per_store(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    try:
        first = open_memory(settings)
        assert open_memory(offline_settings(tmp_path)) is first
        assert open_memory(offline_settings(tmp_path / "other")) is not first
    finally:
        close_memories()
    with pytest.raises(MemoryBackendError, match="closed"):
        first.search("alice", "anything")
    assert open_memory(settings) is not first
    close_memories()


def test_store_failures_become_one_line_backend_errors(memory: Mem0Memory) -> None:
    memory.add("alice", FINTECH)
    memory.vector_store.close()
    with pytest.raises(MemoryBackendError) as caught:
        memory.search("alice", "fintech")
    message = str(caught.value)
    assert "search failed" in message and "closed" in message
    assert "\n" not in message and "Traceback" not in message


def test_llm_plan_and_pg_options() -> None:
    offline = llm_plan(Settings(llm=LLMSettings()))
    assert not offline.can_infer and offline.config["openai_base_url"].startswith("http://127.")
    assert not llm_plan(Settings(llm=LLMSettings(default="anthropic/claude-x"))).can_infer
    local = llm_plan(
        Settings(llm=LLMSettings(default="ollama/llama3.1", base_url="http://127.0.0.1:1/v1"))
    )
    assert local.can_infer and local.config["model"] == "llama3.1"
    conninfo = pg_conninfo("postgresql://u:p@/db?host=/tmp/sock&options=-c%20work_mem%3D4MB")
    assert "host=%2Ftmp%2Fsock" in conninfo
    assert "work_mem" in conninfo and "hnsw.iterative_scan" in conninfo
    assert HNSW_OPTIONS.count("-c") == 2


def test_store_misconfiguration_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(MemoryBackendError, match="HIRECREW_MEMORY__URL"):
        Mem0Memory(offline_settings(tmp_path, vector_store="pgvector"))
    refused = offline_settings(
        tmp_path, vector_store="pgvector", url="postgresql://u:p@127.0.0.1:1/db"
    )
    with pytest.raises(MemoryBackendError, match="cannot open the pgvector memory store"):
        Mem0Memory(refused)
    with pytest.raises(MemoryBackendError, match="disabled"):
        Mem0Memory(offline_settings(tmp_path, backend="none"))
