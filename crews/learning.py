"""What a recruiter's decisions teach their memory, and what a stage recalls from it.

Every human decision at a gate is distilled (``domain.preferences``) into preference memories:
an edit says how long a job description or a shortlist should be, a rejection's reason names
must-haves or skills the candidates lacked, thumbs down "for no Kubernetes experience" count
towards Kubernetes becoming a must-have. The reason of a rejection or a vote is also kept as a
note, in the recruiter's words, for the agents to recall.
"""

from __future__ import annotations

from pydantic import BaseModel

from crews.decisions import CandidateVote, GateDecision
from domain.preferences import Preference, distill_edit, distill_rejection, distill_vote
from memory.base import MemoryRecord
from memory.service import MemoryService


def recall_query(stage: str, title: str, must_haves: list[str]) -> str:
    """What a stage asks the memory for: the stage, the job and its must-haves."""
    return " ".join([stage, title, *must_haves])


def _votes(
    service: MemoryService,
    recruiter_id: str,
    votes: list[CandidateVote],
    known: dict[str, Preference],
    *,
    project: str,
    stage: str,
) -> list[MemoryRecord]:
    written: list[MemoryRecord] = []
    for vote in votes:
        # Votes in one decision count one after another: two downs "for no Kubernetes" in a
        # single review make Kubernetes a must-have, as two separate reviews would.
        learned = distill_vote(vote.vote, vote.reason, known)
        written += service.learn(recruiter_id, learned, project=project, source=f"vote_{vote.vote}")
        known.update({p.key: p for p in learned})
        if vote.reason and not learned:
            thumb = "Thumbs up" if vote.vote == "up" else "Thumbs down"
            written += service.remember(
                recruiter_id,
                f"{thumb} on a {stage} candidate: {vote.reason}",
                stage=stage,
                project=project,
                source=f"vote_{vote.vote}",
            )
    return written


def learn_from_decision(
    service: MemoryService,
    *,
    recruiter_id: str,
    project: str,
    stage: str,
    decision: GateDecision,
    before: BaseModel | None,
    after: BaseModel | None,
) -> list[MemoryRecord]:
    """Write what one gate decision teaches; returns the memories written or updated.

    Args:
        before: the stage output the recruiter saw.
        after: what they confirmed (the edited artifact for an edit).
    """
    known = service.known(recruiter_id)
    written = _votes(service, recruiter_id, decision.votes, known, project=project, stage=stage)
    if decision.decision == "edit" and before is not None and after is not None:
        written += service.learn(
            recruiter_id, distill_edit(stage, before, after), project=project, source="edit"
        )
    elif decision.decision == "reject" and decision.reason:
        learned = distill_rejection(stage, decision.reason, known)
        written += service.learn(recruiter_id, learned, project=project, source="reject")
        written += service.remember(
            recruiter_id,
            f"Rejected the {stage} output: {decision.reason}",
            stage=stage,
            project=project,
            source="reject",
        )
    return written
