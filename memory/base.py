"""What the rest of hirecrew knows about memory: records and the ``RecruiterMemory`` protocol.

Every call takes the recruiter id first and is scoped to it: a backend must never return,
change or delete another recruiter's memory, whatever the query, filter or memory id says.
Metadata is flat (``str | int | float | bool`` values) so every store can filter on it; by
convention it carries ``kind``, ``key``, ``stage``, ``project``, ``source`` and ``at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from domain.errors import HirecrewError

MetadataValue = str | int | float | bool


class MemoryError_(HirecrewError):
    """Base of memory errors (named with an underscore: ``MemoryError`` is a builtin)."""


class MemoryNotFoundError(MemoryError_):
    """No memory with that id belongs to this recruiter (it may belong to nobody, or to
    someone else: the message never says which)."""


class MemoryBackendError(MemoryError_):
    """The memory store could not be opened or written; the message says what to check."""


class MemoryRecord(BaseModel):
    """One memory as the recruiter sees it."""

    id: str
    recruiter_id: str
    text: str
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    score: float | None = Field(default=None, description="similarity, for search results only")

    @property
    def kind(self) -> str:
        return str(self.metadata.get("kind", "note"))

    @property
    def key(self) -> str | None:
        value = self.metadata.get("key")
        return str(value) if value is not None else None


@runtime_checkable
class RecruiterMemory(Protocol):
    """A per-recruiter memory store. Implementations: ``memory.mem0_backend.Mem0Memory``."""

    def add(
        self,
        recruiter_id: str,
        text: str,
        metadata: Mapping[str, MetadataValue] | None = None,
        *,
        infer: bool = False,
    ) -> list[MemoryRecord]:
        """Store a memory. ``infer=True`` lets the configured LLM extract facts from ``text``
        (several records may come back); ``infer=False`` stores ``text`` as given."""
        ...

    def search(
        self,
        recruiter_id: str,
        query: str,
        *,
        limit: int = 10,
        filters: Mapping[str, MetadataValue] | None = None,
    ) -> list[MemoryRecord]:
        """The recruiter's memories most similar to ``query``, best first, with scores."""
        ...

    def list(
        self,
        recruiter_id: str,
        *,
        filters: Mapping[str, MetadataValue] | None = None,
        limit: int = 10_000,
    ) -> list[MemoryRecord]:
        """All the recruiter's memories (matching equality ``filters``), newest first."""
        ...

    def get(self, recruiter_id: str, memory_id: str) -> MemoryRecord:
        """Raises ``MemoryNotFoundError`` when the id is unknown or not this recruiter's."""
        ...

    def update(
        self,
        recruiter_id: str,
        memory_id: str,
        text: str,
        metadata: Mapping[str, MetadataValue] | None = None,
    ) -> MemoryRecord:
        """Replace the text (re-embedded) and, when given, the metadata. Ownership checked."""
        ...

    def delete(self, recruiter_id: str, memory_id: str) -> None:
        """Erase a memory from every store (vectors, history): nothing of its text remains."""
        ...

    def delete_all(self, recruiter_id: str) -> int:
        """Erase all the recruiter's memories; returns how many."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


def metadata_of(values: Mapping[str, Any]) -> dict[str, MetadataValue]:
    """Keep only flat metadata values; ``None`` drops the key."""
    return {
        k: v for k, v in values.items() if v is not None and isinstance(v, str | int | float | bool)
    }
