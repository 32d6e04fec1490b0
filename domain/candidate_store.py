"""The candidate pool on disk: one JSON line per candidate in ``candidates.jsonl``.

Writes only append whole lines, so a crash leaves at worst one damaged last line, which the
next load names. Each public call first reads lines another process appended since; ``add``
reads and appends under an exclusive lock on ``candidates.lock``, so two processes importing
the same files never both append an id.
The app keeps its pool at ``settings.data_path / "pool"``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from domain.entities import Candidate
from domain.errors import DomainError

__all__ = ["LOCK_FILE", "STORE_FILE", "CandidateStore"]

STORE_FILE = "candidates.jsonl"
LOCK_FILE = "candidates.lock"


class CandidateStore:
    """An append-only, id-keyed store of candidates in one directory."""

    def __init__(self, directory: Path) -> None:
        """Open (and load) the store in ``directory``; nothing is created until ``add``.

        Raises:
            DomainError: a stored line is not a valid candidate (names the file and line).
        """
        self.directory = directory
        self.path = directory / STORE_FILE
        self._candidates: dict[str, Candidate] = {}
        self._offset = 0
        self._lines = 0
        self._refresh()

    def _refresh(self) -> None:
        """Read the lines appended since the last read (by this or another process)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == self._offset:
            return
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read(size - self._offset)
        # Only complete lines: a line still being written by another process waits.
        end = chunk.rfind(b"\n") + 1
        for raw in chunk[:end].splitlines():
            self._lines += 1
            if not raw.strip():
                continue
            try:
                candidate = Candidate.model_validate_json(raw)
            except ValidationError as exc:
                problem = exc.errors()[0]["msg"] if exc.errors() else str(exc)
                raise DomainError(
                    f"{self.path}:{self._lines}: not a valid candidate record ({problem}); "
                    "fix or remove that line"
                ) from exc
            self._candidates.setdefault(candidate.id, candidate)
        self._offset += end

    def add(self, candidates: Iterable[Candidate]) -> list[str]:
        """Append the candidates whose ids are not stored yet.

        Returns:
            The ids newly added, in order; an id already present (or repeated) is skipped.
        """
        batch = list(candidates)
        if not batch:
            return []
        self.directory.mkdir(parents=True, exist_ok=True)
        # Refresh, then append, under one exclusive lock: another process adding the same
        # ids at the same time sees this one's lines before deciding what is new.
        with self._locked():
            self._refresh()
            new: list[Candidate] = []
            seen: set[str] = set()
            for candidate in batch:
                if candidate.id in self._candidates or candidate.id in seen:
                    continue
                seen.add(candidate.id)
                new.append(candidate)
            if not new:
                return []
            payload = "".join(c.model_dump_json() + "\n" for c in new).encode("utf-8")
            # One O_APPEND write of whole lines: a reader never sees half a line as complete.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            finally:
                os.close(fd)
            self._refresh()
        return [c.id for c in new]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive ``flock`` on the store's lock file (blocks until it is free)."""
        fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def get(self, candidate_id: str) -> Candidate:
        """The stored candidate with this id.

        Raises:
            DomainError: no candidate has that id.
        """
        self._refresh()
        try:
            return self._candidates[candidate_id]
        except KeyError:
            raise DomainError(
                f"no candidate '{candidate_id}' in {self.path}; "
                "`hirecrew candidates import` adds resumes"
            ) from None

    def all(self) -> list[Candidate]:
        """Every stored candidate, in the order they were added."""
        self._refresh()
        return list(self._candidates.values())

    def __len__(self) -> int:
        self._refresh()
        return len(self._candidates)

    def __contains__(self, candidate_id: object) -> bool:
        self._refresh()
        return candidate_id in self._candidates
