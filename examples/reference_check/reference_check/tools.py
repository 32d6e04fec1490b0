"""The reference-check tool: reads referees' notes, never invents what they did not say."""

import re
from collections import Counter
from typing import ClassVar

from crewai.tools import BaseTool
from pydantic import BaseModel, Field

from reference_check.models import Referee, ReferenceCheckSummary

FIELD = re.compile(r"^\s*(referee|strengths|concerns|would rehire)\s*:\s*(.*)$", re.I)


class ReferenceNotes(BaseModel):
    candidate_name: str = Field(min_length=1, description="who the references are about")
    reference_notes: str = Field(
        min_length=1,
        description="one block per referee: 'Referee: name, relationship', then "
        "'Strengths:', 'Concerns:' (items separated by ';') and 'Would rehire: yes|no'",
    )


class SummarizeReferencesTool(BaseTool):
    name: str = "summarize_references"
    description: str = (
        "Summarise a candidate's reference notes: each referee's strengths, concerns and "
        "whether they would rehire, the strengths several referees share, and an advisory "
        "recommendation. Returns JSON."
    )
    args_schema: type[BaseModel] = ReferenceNotes
    network: ClassVar[bool] = False  # works on its arguments only

    def _run(self, candidate_name: str, reference_notes: str) -> str:
        referees = parse_referees(reference_notes)
        if not referees:
            return "Error: no 'Referee:' line in the notes; start each referee's block with one"
        return summarize(candidate_name, referees).model_dump_json()


def _items(text: str) -> list[str]:
    return [item.strip().rstrip(".") for item in text.split(";") if item.strip()]


def parse_referees(notes: str) -> list[Referee]:
    """One Referee per 'Referee:' line, with the fields that follow it."""
    referees: list[Referee] = []
    for line in notes.splitlines():
        match = FIELD.match(line)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "referee":
            name, _, relationship = value.partition(",")
            referees.append(Referee(name=name.strip(), relationship=relationship.strip()))
        elif referees and key == "strengths":
            referees[-1].strengths.extend(_items(value))
        elif referees and key == "concerns":
            referees[-1].concerns.extend(_items(value))
        elif referees and key == "would rehire":
            answer = value.lower()
            referees[-1].would_rehire = (
                True if answer.startswith("yes") else False if answer.startswith("no") else None
            )
    return referees


def summarize(candidate: str, referees: list[Referee]) -> ReferenceCheckSummary:
    """Shared strengths, every concern, and proceed / discuss / hold (advisory)."""
    counts = Counter(s.lower() for r in referees for s in set(r.strengths))
    shared = sorted(strength for strength, n in counts.items() if n > 1)
    concerns = [f"{r.name}: {c}" for r in referees for c in r.concerns]
    answers = [r.would_rehire for r in referees]
    if False in answers:
        recommendation = "hold"
    elif all(answers) and not concerns:
        recommendation = "proceed"
    else:
        recommendation = "discuss"
    return ReferenceCheckSummary(
        candidate=candidate,
        referees=referees,
        shared_strengths=shared,
        concerns=concerns,
        recommendation=recommendation,
    )
