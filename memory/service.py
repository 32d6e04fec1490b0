"""A recruiter's memory as the product uses it: preferences kept one per key, notes, recall.

``MemoryService`` sits on any ``RecruiterMemory`` backend and adds what the backend does not
know: a memory whose text states a preference (see ``domain.preferences``) is stored under that
preference's key, and a newer preference with the same key *replaces* the older memory instead of
piling up beside it. The text stays the source of truth: editing a memory re-reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from domain.preferences import Preference, parse_preference
from memory.base import MemoryRecord, MetadataValue, RecruiterMemory, metadata_of

PREFERENCE = "preference"
NOTE = "note"
# Free-form notes recalled per stage by similarity; preferences are always recalled in full.
DEFAULT_RECALL = 8


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _metadata(
    preference: Preference | None, *, stage: str | None, project: str | None, source: str
) -> dict[str, MetadataValue]:
    return metadata_of(
        {
            "kind": PREFERENCE if preference else NOTE,
            "key": preference.key if preference else None,
            "stage": preference.stage if preference else stage,
            "project": project,
            "source": source,
            "at": _now(),
        }
    )


class MemoryService:
    """Remember, learn, recall, edit and forget for one backend; every call names the
    recruiter, and the backend keeps recruiters apart."""

    def __init__(self, backend: RecruiterMemory, *, can_infer: bool = False) -> None:
        self.backend = backend
        # True when a real LLM is configured: free-form feedback then goes through Mem0's own
        # fact extraction; offline it is stored as said.
        self.can_infer = can_infer

    # --- writing ---------------------------------------------------------------------------

    def remember(
        self,
        recruiter_id: str,
        text: str,
        *,
        stage: str | None = None,
        project: str | None = None,
        source: str = "manual",
    ) -> list[MemoryRecord]:
        """Store what a recruiter said or did: a preference by its key, anything else as a
        note (through the LLM's fact extraction when one is configured)."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("a memory needs some text")
        preference = parse_preference(text)
        if preference is not None:
            return [self._upsert(recruiter_id, text, preference, project=project, source=source)]
        metadata = _metadata(None, stage=stage, project=project, source=source)
        return self.backend.add(recruiter_id, text, metadata, infer=self.can_infer)

    def learn(
        self,
        recruiter_id: str,
        preferences: Iterable[Preference],
        *,
        project: str | None,
        source: str,
    ) -> list[MemoryRecord]:
        """Write distilled preferences, each replacing any memory with the same key."""
        return [
            self._upsert(recruiter_id, p.sentence(), p, project=project, source=source)
            for p in preferences
        ]

    def _upsert(
        self,
        recruiter_id: str,
        text: str,
        preference: Preference,
        *,
        project: str | None,
        source: str,
        keep: str | None = None,
    ) -> MemoryRecord:
        metadata = _metadata(preference, stage=None, project=project, source=source)
        same_key = [
            r
            for r in self.backend.list(recruiter_id, filters={"key": preference.key})
            if r.id != keep
        ]
        if keep is not None:
            record = self.backend.update(recruiter_id, keep, text, metadata)
        elif same_key:
            record = self.backend.update(recruiter_id, same_key[0].id, text, metadata)
            same_key = same_key[1:]
        else:
            record = self.backend.add(recruiter_id, text, metadata)[0]
        for stale in same_key:  # a contradiction replaces; it never piles up
            self.backend.delete(recruiter_id, stale.id)
        return record

    def edit(self, recruiter_id: str, memory_id: str, text: str) -> MemoryRecord:
        """Replace a memory's text; what it now says is what the assistant will do."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("a memory needs some text; use forget to delete it")
        current = self.backend.get(recruiter_id, memory_id)
        project = current.metadata.get("project")
        preference = parse_preference(text)
        if preference is not None:
            return self._upsert(
                recruiter_id,
                text,
                preference,
                project=str(project) if project is not None else None,
                source="edited",
                keep=memory_id,
            )
        stage = current.metadata.get("stage")
        metadata = _metadata(
            None,
            stage=str(stage) if stage is not None else None,
            project=str(project) if project is not None else None,
            source="edited",
        )
        return self.backend.update(recruiter_id, memory_id, text, metadata)

    def forget(self, recruiter_id: str, memory_id: str) -> None:
        self.backend.delete(recruiter_id, memory_id)

    def forget_all(self, recruiter_id: str) -> int:
        return self.backend.delete_all(recruiter_id)

    # --- reading ---------------------------------------------------------------------------

    def get(self, recruiter_id: str, memory_id: str) -> MemoryRecord:
        return self.backend.get(recruiter_id, memory_id)

    def memories(self, recruiter_id: str) -> list[MemoryRecord]:
        """All the recruiter's memories, newest first (the export)."""
        return self.backend.list(recruiter_id)

    def search(self, recruiter_id: str, query: str, *, limit: int = 10) -> list[MemoryRecord]:
        return self.backend.search(recruiter_id, query, limit=limit)

    def preferences(self, recruiter_id: str) -> list[MemoryRecord]:
        """Every stated or learned preference of the recruiter, newest first."""
        return self.backend.list(recruiter_id, filters={"kind": PREFERENCE})

    def known(self, recruiter_id: str) -> dict[str, Preference]:
        """The recruiter's current preferences by key, as their texts say now."""
        known: dict[str, Preference] = {}
        for record in self.preferences(recruiter_id):
            preference = parse_preference(record.text)
            if preference is not None:
                known.setdefault(preference.key, preference)
        return known

    def recall(
        self, recruiter_id: str, query: str, *, limit: int = DEFAULT_RECALL
    ) -> list[MemoryRecord]:
        """What a stage should know: every preference, plus the notes most related to
        ``query`` (the stage and the job), without duplicates."""
        recalled = {r.id: r for r in self.preferences(recruiter_id)}
        if limit > 0 and query.strip():
            for record in self.backend.search(
                recruiter_id, query, limit=limit, filters={"kind": NOTE}
            ):
                recalled.setdefault(record.id, record)
        return list(recalled.values())


def memory_pairs(records: Sequence[MemoryRecord]) -> list[tuple[str, str]]:
    """``(id, text)`` pairs, the form ``domain.preferences.learned_from`` reads."""
    return [(r.id, r.text) for r in records]
