"""Recruiter preferences: distilled from decisions, kept as sentences, read back from them.

A preference lives in the recruiter's memory as a plain sentence, and the sentence is the source
of truth: the distiller writes a canonical sentence ("Treat Kubernetes as a must-have: ..."),
:func:`parse_preference` reads it back. So a recruiter who edits a memory to "Treat Go as a
must-have" changes what the assistant does, and one who deletes it undoes the lesson.

Each preference has a ``key`` (one per skill, or one per setting). A newer preference with the
same key replaces the older one: rejecting a second candidate "for no Kubernetes" turns "lacking
Kubernetes, once" into "Kubernetes is a must-have"; praising one "even without Kubernetes" turns
it into "Kubernetes is not required". Contradictions replace, they never pile up.

What each kind shapes:

- ``must_have`` (sourcing): the skill is added to the search plan's required skills.
- ``lacking`` (sourcing): a skill a candidate was rejected for lacking, counted; at
  ``MUST_HAVE_AFTER`` rejections it becomes ``must_have``.
- ``not_required`` (sourcing): a learned must-have of that skill is dropped.
- ``jd_max_words`` (intake): drafts are trimmed to about that many words of body text.
- ``shortlist_size`` (screening): the shortlist handed on keeps that many candidates.
- ``outreach_tone`` (outreach): "brief" or "warm" messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.artifacts import JobDescription, OutreachPlan, SearchPlan, Shortlist, SourcingReport
from domain.jd import render_job_description
from domain.skills import canonical_skill, find_skills

PreferenceKind = Literal[
    "must_have", "lacking", "not_required", "jd_max_words", "shortlist_size", "outreach_tone"
]
Vote = Literal["up", "down"]

# Two rejections for the same missing skill are a pattern; one may be an accident.
MUST_HAVE_AFTER = 2
# An edit must change the length by this share before it says anything about length.
LENGTH_SIGNAL = 0.15
_TONES = ("brief", "warm")

STAGE_OF_KIND: dict[str, str] = {
    "must_have": "sourcing",
    "lacking": "sourcing",
    "not_required": "sourcing",
    "jd_max_words": "intake",
    "shortlist_size": "screening",
    "outreach_tone": "outreach",
}


class Preference(BaseModel):
    """One thing the assistant has learned about a recruiter's way of hiring."""

    model_config = ConfigDict(frozen=True)

    kind: PreferenceKind
    subject: str = Field(default="", description="the skill, or the tone; empty for numbers")
    number: int | None = Field(default=None, ge=0, description="words, size or a count")

    @property
    def stage(self) -> str:
        return STAGE_OF_KIND[self.kind]

    @property
    def key(self) -> str:
        """What this preference is about; a newer one with the same key replaces the older."""
        if self.kind in ("must_have", "lacking", "not_required"):
            return f"skill:{self.subject.lower()}"
        return self.kind

    def sentence(self) -> str:
        """The canonical sentence, as stored and as :func:`parse_preference` reads it."""
        n = self.number or 0
        match self.kind:
            case "must_have":
                why = f": rejected {n} candidates for lacking it" if n >= MUST_HAVE_AFTER else ""
                return f"Treat {self.subject} as a must-have{why}."
            case "lacking":
                times = "once" if n == 1 else f"{n} times"
                return f"Rejected a candidate for lacking {self.subject} ({times})."
            case "not_required":
                return f"{self.subject[:1].upper()}{self.subject[1:]} is not required."
            case "jd_max_words":
                return f"Keep job descriptions to about {n} words."
            case "shortlist_size":
                return f"Keep shortlists to {n} candidates."
            case "outreach_tone":
                return f"Write {self.subject} outreach messages."


_SKILL = r"(?P<skill>[^.:;]{1,60}?)"
_PATTERNS: tuple[tuple[PreferenceKind, re.Pattern[str]], ...] = (
    (
        "must_have",
        re.compile(
            rf"^(?:treat|make|consider)\s+{_SKILL}\s+(?:as\s+)?an?\s+must[- ]have"
            r"(?:\W+rejected\s+(?P<n>\d+)\s+candidates)?",
            re.I,
        ),
    ),
    ("must_have", re.compile(rf"^{_SKILL}\s+is\s+an?\s+must[- ]have\b", re.I)),
    ("must_have", re.compile(rf"^(?:always\s+)?require\s+{_SKILL}\s*(?:experience)?\W*$", re.I)),
    (
        "lacking",
        re.compile(
            rf"^rejected\s+an?\s+candidates?\s+for\s+lacking\s+{_SKILL}\s*"
            r"\((?:(?P<once>once)|(?P<n>\d+)\s+times)\)",
            re.I,
        ),
    ),
    (
        "not_required",
        re.compile(
            rf"^(?:{_SKILL}\s+is\s+(?:not|no\s+longer)\s+(?:required|needed|a\s+must[- ]have)"
            rf"|do\s+not\s+require\s+(?P<skill2>[^.:;]{{1,60}}?))\W*$",
            re.I,
        ),
    ),
    (
        "jd_max_words",
        re.compile(
            r"job\s+descriptions?\s+(?:to|under|of|at|below)\s+(?:about\s+|at\s+most\s+)?"
            r"(?P<n>\d+)\s+words",
            re.I,
        ),
    ),
    ("shortlist_size", re.compile(r"shortlists?\s+(?:to|of|at)\s+(?P<n>\d+)\s+candidates", re.I)),
    (
        "outreach_tone",
        re.compile(r"^write\s+(?P<tone>brief|warm)\s+outreach\s+(?:messages|e-?mails)", re.I),
    ),
)


def parse_preference(text: str) -> Preference | None:
    """The preference a sentence states, or None for a free-form note.

    Skills must be ones the taxonomy knows ("K8s" reads as Kubernetes), so a note that merely
    looks like a rule ("Treat everyone kindly as a must-have") stays a note.
    """
    sentence = " ".join(text.split()).strip()
    for kind, pattern in _PATTERNS:
        match = pattern.search(sentence)
        if match is None:
            continue
        groups = match.groupdict()
        number = int(groups["n"]) if groups.get("n") else None
        if kind in ("must_have", "lacking", "not_required"):
            skill = canonical_skill((groups.get("skill") or groups.get("skill2") or "").strip())
            if skill is None:
                continue
            if kind == "lacking":
                number = 1 if groups.get("once") else number
            return Preference(kind=kind, subject=skill, number=number)
        if kind == "outreach_tone":
            return Preference(kind=kind, subject=groups["tone"].lower())
        if number is None or number == 0:
            continue
        return Preference(kind=kind, number=number)
    return None


# --- distilling decisions -----------------------------------------------------------------

_LACK = re.compile(
    r"\b(?:no|lacks?|lacking|without|missing|not\s+enough|too\s+little|little|zero|never\s+used)"
    r"\b(?P<span>[^.;,!?]{1,60})",
    re.I,
)
_NOT_NEEDED = re.compile(
    r"(?P<span>[^.;,!?]{1,60}?)\b(?:(?:is|are)\s+)?(?:not\s+(?:required|needed|necessary|"
    r"important|a\s+must[- ]have)|optional|(?:doesn'?t|does\s+not|don'?t|do\s+not)\s+"
    r"(?:matter|need|require))"
    r"|\b(?:even\s+without|despite\s+(?:no|lacking|missing))\b(?P<span2>[^.;,!?]{1,60})",
    re.I,
)
_REQUIRE = re.compile(
    r"(?P<span>[^.;,!?]{1,60}?)\bis\s+an?\s+must[- ]have\b"
    r"|\b(?:must\s+have|must\s+know|require|requires|need|needs)\b(?P<span2>[^.;,!?]{1,60})",
    re.I,
)


def _skills_in(pattern: re.Pattern[str], text: str) -> list[str]:
    found: list[str] = []
    for match in pattern.finditer(text):
        span = match.group("span") or match.groupdict().get("span2") or ""
        for skill in find_skills(span):
            if skill not in found:
                found.append(skill)
    return found


def lacking_skills(reason: str) -> list[str]:
    """Skills a reason says a candidate lacks: "no Kubernetes experience" -> [Kubernetes]."""
    return _skills_in(_LACK, reason)


def _lacked(skill: str, existing: Mapping[str, Preference]) -> Preference:
    before = existing.get(f"skill:{skill.lower()}")
    count = 1
    if before is not None and before.kind in ("lacking", "must_have"):
        count = (before.number or (MUST_HAVE_AFTER if before.kind == "must_have" else 0)) + 1
    kind: PreferenceKind = "must_have" if count >= MUST_HAVE_AFTER else "lacking"
    return Preference(kind=kind, subject=skill, number=count)


def distill_vote(
    vote: Vote, reason: str | None, existing: Mapping[str, Preference]
) -> list[Preference]:
    """What a thumbs up or down on one candidate teaches, given what is already known.

    Down "for no Kubernetes experience" counts a rejection for lacking Kubernetes; up "great
    even without Kubernetes" says Kubernetes is not required (replacing a learned must-have).
    """
    if not reason:
        return []
    if vote == "up":
        return [Preference(kind="not_required", subject=s) for s in _skills_in(_NOT_NEEDED, reason)]
    return [_lacked(skill, existing) for skill in lacking_skills(reason)]


def distill_rejection(
    stage: str, reason: str, existing: Mapping[str, Preference]
) -> list[Preference]:
    """What a stage rejection's reason teaches: stated must-haves and skills found missing."""
    stated = _skills_in(_REQUIRE, reason)
    learned = [Preference(kind="must_have", subject=s) for s in stated]
    if stage in ("sourcing", "screening"):
        learned += [_lacked(s, existing) for s in lacking_skills(reason) if s not in stated]
    learned += [
        Preference(kind="not_required", subject=s)
        for s in _skills_in(_NOT_NEEDED, reason)
        if s not in stated
    ]
    return learned


def body_words(jd: JobDescription) -> int:
    """Words a recruiter can cut: summary, responsibilities and requirements (the legal
    statements and the header are always there)."""
    parts = [jd.summary, *jd.responsibilities, *(r.text for r in jd.must_haves)]
    parts += [r.text for r in jd.nice_to_haves]
    return sum(len(p.split()) for p in parts)


def _message_words(plan: OutreachPlan) -> float:
    if not plan.messages:
        return 0.0
    return sum(len(m.body.split()) for m in plan.messages) / len(plan.messages)


def distill_edit(stage: str, before: BaseModel, after: BaseModel) -> list[Preference]:
    """What a recruiter's edit of a stage output teaches about their taste."""
    if isinstance(before, JobDescription) and isinstance(after, JobDescription):
        old, new = body_words(before), body_words(after)
        if old and abs(new - old) / old >= LENGTH_SIGNAL:
            return [Preference(kind="jd_max_words", number=max(10, math.ceil(new / 10) * 10))]
        return []
    if isinstance(before, Shortlist) and isinstance(after, Shortlist):
        if 0 < len(after.candidates) < len(before.candidates):
            return [Preference(kind="shortlist_size", number=len(after.candidates))]
        return []
    if isinstance(before, OutreachPlan) and isinstance(after, OutreachPlan):
        old_w, new_w = _message_words(before), _message_words(after)
        if old_w and abs(new_w - old_w) / old_w >= LENGTH_SIGNAL:
            tone = "brief" if new_w < old_w else "warm"
            return [Preference(kind="outreach_tone", subject=tone)]
        return []
    if isinstance(before, SourcingReport) and isinstance(after, SourcingReport):
        old_skills = set(before.plan.required_skills)
        new_skills = set(after.plan.required_skills)
        added = [s for s in after.plan.required_skills if s not in old_skills]
        dropped = [s for s in before.plan.required_skills if s not in new_skills]
        return [
            *(Preference(kind="must_have", subject=s) for s in _known(added)),
            *(Preference(kind="not_required", subject=s) for s in _known(dropped)),
        ]
    return []


def _known(skills: Iterable[str]) -> list[str]:
    return [c for s in skills if (c := canonical_skill(s)) is not None]


# --- applying what was learned --------------------------------------------------------------


@dataclass(frozen=True)
class Learned:
    """A preference with the id of the memory that holds it."""

    memory_id: str
    preference: Preference


def learned_from(memories: Iterable[tuple[str, str]]) -> list[Learned]:
    """Parse ``(memory id, text)`` pairs; free-form notes are skipped. Newest first in, and
    the first of each key wins (an older memory with the same key is stale)."""
    seen: set[str] = set()
    learned: list[Learned] = []
    for memory_id, text in memories:
        preference = parse_preference(text)
        if preference is None or preference.key in seen:
            continue
        seen.add(preference.key)
        learned.append(Learned(memory_id, preference))
    return learned


def apply_to_search_plan(
    plan: SearchPlan, learned: Sequence[Learned]
) -> tuple[SearchPlan, list[str]]:
    """Add learned must-have skills to a search plan; returns the plan and the memory ids used.

    The job description's own must-haves are the recruiter's confirmed words and stay; a
    learned must-have is added as a required skill and said so in ``plan.learned``.
    """
    required = list(plan.required_skills)
    notes = list(plan.learned)
    used: list[str] = []
    for item in learned:
        pref = item.preference
        if pref.kind != "must_have" or pref.subject in required:
            continue
        required.append(pref.subject)
        notes.append(
            f"{pref.subject}: must-have learned from your decisions (memory {item.memory_id})"
        )
        used.append(item.memory_id)
    if not used:
        return plan, []
    optional = [s for s in plan.optional_skills if s not in required]
    return (
        plan.model_copy(
            update={"required_skills": required, "optional_skills": optional, "learned": notes}
        ),
        used,
    )


def _first(learned: Sequence[Learned], kind: PreferenceKind) -> Learned | None:
    return next((item for item in learned if item.preference.kind == kind), None)


def jd_word_budget(learned: Sequence[Learned]) -> tuple[int | None, list[str]]:
    item = _first(learned, "jd_max_words")
    return (item.preference.number, [item.memory_id]) if item else (None, [])


def shortlist_size(learned: Sequence[Learned]) -> tuple[int | None, list[str]]:
    item = _first(learned, "shortlist_size")
    return (item.preference.number, [item.memory_id]) if item else (None, [])


def outreach_tone(learned: Sequence[Learned]) -> tuple[str | None, list[str]]:
    item = _first(learned, "outreach_tone")
    if item is None or item.preference.subject not in _TONES:
        return None, []
    return item.preference.subject, [item.memory_id]


def fit_job_description(jd: JobDescription, max_words: int) -> JobDescription:
    """Trim a draft toward ``max_words`` of body text, cutting what matters least first:
    nice-to-haves from the end, then responsibilities down to two, then the summary to its
    first sentence. Must-haves are never cut: they are the job."""
    fitted = jd
    while body_words(fitted) > max_words and fitted.nice_to_haves:
        fitted = fitted.model_copy(update={"nice_to_haves": fitted.nice_to_haves[:-1]})
    while body_words(fitted) > max_words and len(fitted.responsibilities) > 2:
        fitted = fitted.model_copy(update={"responsibilities": fitted.responsibilities[:-1]})
    if body_words(fitted) > max_words:
        first = re.split(r"(?<=[.!?])\s+", fitted.summary.strip(), maxsplit=1)[0]
        fitted = fitted.model_copy(update={"summary": first})
    if fitted is jd:
        return jd
    return fitted.model_copy(update={"text": render_job_description(fitted)})
