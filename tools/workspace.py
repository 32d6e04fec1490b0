"""What a stage's tools work on: the project, the pool and the confirmed earlier outputs.

A workspace is built per stage run by the flow and bound to every tool at construction, so a
tool never takes a recruiter or project id as an argument an LLM could forge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from domain.artifacts import (
    Finding,
    InterviewSlot,
    JobDescription,
    OutreachPlan,
    Shortlist,
    SourcingReport,
)
from domain.embeddings import shared_embedder
from domain.entities import Candidate, Interviewer, Recruiter
from domain.errors import DomainError
from domain.hybrid_search import HybridIndex
from domain.preferences import Learned, learned_from
from domain.redaction import blind_texts, blind_view
from memory.base import MemoryRecord
from memory.service import MemoryService, memory_pairs


def review_texts(artifact: BaseModel, pool: Sequence[Candidate]) -> dict[str, str]:
    """The texts a review checks claims against: for a shortlist, the blind view that
    screening quoted from (only its candidates' texts are redacted: redaction is the costly
    part of screening, so the whole pool is not redone for a review); for an outreach plan,
    its recipients' resumes.
    """
    if isinstance(artifact, OutreachPlan):
        # Messages go to named people: what they say about them is checked against the
        # resume itself (OUT-7).
        ids = {m.candidate_id for m in artifact.messages}
        return {c.id: c.resume_text for c in pool if c.id in ids}
    if not isinstance(artifact, Shortlist):
        return {}
    ids = {c.candidate_id for c in artifact.candidates}
    return blind_texts(c for c in pool if c.id in ids)


@dataclass
class Workspace:
    """Everything the tools of one stage run may read, and the scratch they may write."""

    stage: str
    recruiter: Recruiter
    company: str
    intake_notes: str
    pool: Sequence[Candidate]
    interviewers: Sequence[Interviewer] = ()
    schedule_start: datetime | None = None
    preferences: list[str] = field(default_factory=list)
    job: JobDescription | None = None
    sourcing: SourcingReport | None = None
    shortlist: Shortlist | None = None
    previous_draft: BaseModel | None = None
    review_findings: list[Finding] = field(default_factory=list)
    artifact_under_review: BaseModel | None = None
    # A stage crews.yaml's pipeline added: its output is reviewed by the generic checks.
    custom_stage: bool = False
    outreach_count: int = 3
    # How many screened candidates the screener hands on: the deterministic pass ranks
    # everyone, the agents (and a real model's context) see only the top.
    screen_top: int = 25
    # Where this pool's hybrid search index is kept between runs; None keeps it in memory.
    index_dir: Path | None = None
    # The recruiter's memories recalled for this stage, and the service the recall tool
    # searches (bound to ``recruiter.id``: the id is never a tool argument).
    memories: list[MemoryRecord] = field(default_factory=list)
    memory: MemoryService | None = None
    # Scratch written by tools during the run (slots found before messages are drafted).
    proposed_slots: list[InterviewSlot] = field(default_factory=list)
    # Ids of the memories a tool applied to this stage's output.
    applied_memory_ids: list[str] = field(default_factory=list)

    @cached_property
    def learned(self) -> list[Learned]:
        """The preferences the recalled memories state (free-form notes are left out)."""
        return learned_from(memory_pairs(self.memories))

    def applied(self, memory_ids: list[str]) -> None:
        """Record that memories shaped the output (listed on the stage record)."""
        self.applied_memory_ids.extend(i for i in memory_ids if i not in self.applied_memory_ids)

    @cached_property
    def candidates_by_id(self) -> dict[str, Candidate]:
        return {c.id: c for c in self.pool}

    @cached_property
    def search_index(self) -> HybridIndex:
        """The pool's hybrid (BM25 + embeddings) index, synced: only new resumes are embedded."""
        embedder = shared_embedder()
        index = (
            HybridIndex.open(self.index_dir, embedder)
            if self.index_dir is not None
            else HybridIndex(embedder)
        )
        index.sync(list(self.pool))
        return index

    def candidate(self, candidate_id: str) -> Candidate:
        """A pool candidate by id; tools pass this error text back to the agent."""
        try:
            return self.candidates_by_id[candidate_id]
        except KeyError as exc:
            raise DomainError(f"no candidate '{candidate_id}' in this project's pool") from exc

    def blind_resume(self, candidate_id: str) -> str:
        """A candidate's resume as screening may see it: names and contact data removed."""
        return blind_view(self.candidate(candidate_id)).resume_text

    def require_job(self) -> JobDescription:
        if self.job is None:
            raise DomainError("no confirmed job description yet: the intake stage comes first")
        return self.job

    def require_sourcing(self) -> SourcingReport:
        if self.sourcing is None:
            raise DomainError("no confirmed sourcing results yet: the sourcing stage comes first")
        return self.sourcing

    def require_shortlist(self) -> Shortlist:
        if self.shortlist is None:
            raise DomainError("no confirmed shortlist yet: the screening stage comes first")
        return self.shortlist
