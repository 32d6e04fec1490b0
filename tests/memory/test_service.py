"""MemoryService: one memory per preference key, contradictions replace, edits re-read the text,
and recall gives a stage every preference plus the related notes of its own recruiter only."""

from __future__ import annotations

from memory.mem0_backend import Mem0Memory
from memory.service import MemoryService


def _service(memory: Mem0Memory) -> MemoryService:
    return MemoryService(memory)


def test_a_stated_preference_is_stored_under_its_key(memory: Mem0Memory) -> None:
    service = _service(memory)
    [record] = service.remember("alice", "K8s is a must-have")
    assert record.metadata["kind"] == "preference"
    assert record.metadata["key"] == "skill:kubernetes"
    assert record.metadata["stage"] == "sourcing"
    assert service.known("alice")["skill:kubernetes"].kind == "must_have"


def test_a_contradiction_replaces_the_older_memory(memory: Mem0Memory) -> None:
    service = _service(memory)
    [first] = service.remember("alice", "Treat Kubernetes as a must-have.")
    [second] = service.remember("alice", "Kubernetes is not required.")
    texts = [r.text for r in service.memories("alice")]
    assert texts == ["Kubernetes is not required."]
    assert second.id == first.id  # updated in place: one memory per key
    assert service.known("alice")["skill:kubernetes"].kind == "not_required"


def test_notes_pile_up_but_preferences_do_not(memory: Mem0Memory) -> None:
    service = _service(memory)
    service.remember("alice", "Candidates from fintech ramp up faster")
    service.remember("alice", "Hiring managers here want a call before the offer")
    service.remember("alice", "Keep shortlists to 5 candidates.")
    service.remember("alice", "Keep shortlists to 4 candidates.")
    kinds = sorted(r.kind for r in service.memories("alice"))
    assert kinds == ["note", "note", "preference"]


def test_editing_a_memory_changes_what_it_means(memory: Mem0Memory) -> None:
    service = _service(memory)
    [record] = service.remember("alice", "Treat Kubernetes as a must-have.")
    edited = service.edit("alice", record.id, "Treat Terraform as a must-have.")
    assert edited.id == record.id
    assert edited.metadata["key"] == "skill:terraform"
    assert set(service.known("alice")) == {"skill:terraform"}
    note = service.edit("alice", record.id, "Ask about on-call expectations early")
    assert note.kind == "note" and "key" not in note.metadata
    assert service.known("alice") == {}


def test_editing_into_an_existing_key_keeps_one_memory(memory: Mem0Memory) -> None:
    service = _service(memory)
    service.remember("alice", "Keep shortlists to 5 candidates.")
    [other] = service.remember("alice", "Treat Go as a must-have.")
    service.edit("alice", other.id, "Keep shortlists to 3 candidates.")
    assert [r.text for r in service.memories("alice")] == ["Keep shortlists to 3 candidates."]


def test_recall_brings_every_preference_and_related_notes_of_one_recruiter(
    memory: Mem0Memory,
) -> None:
    service = _service(memory)
    service.remember("alice", "Treat Kubernetes as a must-have.")
    service.remember("alice", "Outreach to Berlin candidates works best in German")
    service.remember("bob", "Keep shortlists to 2 candidates.")
    service.remember("bob", "Outreach to Berlin candidates must mention relocation help")
    recalled = service.recall("alice", "outreach Berlin", limit=5)
    texts = {r.text for r in recalled}
    assert texts == {
        "Treat Kubernetes as a must-have.",
        "Outreach to Berlin candidates works best in German",
    }
    assert all(r.recruiter_id == "alice" for r in recalled)
