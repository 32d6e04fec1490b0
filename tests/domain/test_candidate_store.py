"""The JSONL candidate store: append-only, deduplicated by id, loud about corrupt lines."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from domain.candidate_store import CandidateStore
from domain.entities import Candidate
from domain.errors import DomainError


def _candidate(number: int) -> Candidate:
    return Candidate(
        id=f"cand-{number:012x}",
        headline="Nurse",
        resume_text=f"Registered nurse number {number}",
        flags=["zero-width characters removed (1)"] if number == 2 else [],
    )


def test_add_skips_known_ids_and_survives_reopening(tmp_path: Path) -> None:
    store = CandidateStore(tmp_path / "pool")
    assert len(store) == 0 and store.all() == []
    assert store.add([_candidate(1), _candidate(2), _candidate(1)]) == [
        "cand-000000000001",
        "cand-000000000002",
    ]
    assert store.add([_candidate(2), _candidate(3)]) == ["cand-000000000003"]
    lines = (tmp_path / "pool" / "candidates.jsonl").read_text().splitlines()
    assert len(lines) == 3  # nothing duplicated on disk
    reopened = CandidateStore(tmp_path / "pool")
    assert [c.id for c in reopened.all()] == [c.id for c in store.all()]
    assert reopened.get("cand-000000000002") == _candidate(2)
    assert "cand-000000000003" in reopened and "cand-x" not in reopened
    assert len(reopened) == 3


def test_sees_what_another_handle_appended(tmp_path: Path) -> None:
    first, second = CandidateStore(tmp_path), CandidateStore(tmp_path)
    first.add([_candidate(1)])
    assert "cand-000000000001" in second
    assert second.add([_candidate(1), _candidate(4)]) == ["cand-000000000004"]
    assert len(first) == 2


def test_unknown_id_and_corrupt_line_are_domain_errors(tmp_path: Path) -> None:
    store = CandidateStore(tmp_path)
    with pytest.raises(DomainError, match="no candidate 'cand-nope'"):
        store.get("cand-nope")
    store.add([_candidate(1)])
    with (tmp_path / "candidates.jsonl").open("a") as handle:
        handle.write('{"id": "cand-broken"}\n')
    with pytest.raises(DomainError, match=r"candidates\.jsonl:2: not a valid candidate record"):
        CandidateStore(tmp_path)


def _add_in_process(directory: str, numbers: list[int], barrier: Any, queue: Any) -> None:
    store = CandidateStore(Path(directory))
    new: list[str] = []
    candidates = [_candidate(n) for n in numbers]
    barrier.wait()
    for candidate in candidates:  # one at a time: many chances to race with the other
        new.extend(store.add([candidate]))
    queue.put(new)


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_adding_overlapping_candidates(tmp_path: Path, attempt: int) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    queue = context.Queue()
    pool = tmp_path / "pool"
    numbers = [list(range(0, 300)), list(range(0, 400))]  # same order: they race
    workers = [
        context.Process(target=_add_in_process, args=(str(pool), mine, barrier, queue))
        for mine in numbers
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    first, second = (set(result) for result in results)
    assert not first & second
    assert first | second == {f"cand-{n:012x}" for n in range(400)}
    lines = (pool / "candidates.jsonl").read_text().splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == 400
    assert len(CandidateStore(pool)) == 400
