"""Criterion-by-criterion screening of resumes, with verbatim quotes as evidence.

Each requirement of a job is judged against a resume on its own: ``met`` when the resume shows it
in what the candidate did (summary, experience, education), ``partial`` when it is only claimed
(a skills line or the header under the name) or the years fall clearly short, ``not_met`` when it
is not mentioned at all. Every quote is an exact substring of the resume, so a reviewer can find
it, and :func:`verify_evidence` catches any quote that is not (for instance one an LLM made up).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from domain.artifacts import (
    CriterionAssessment,
    CriterionStatus,
    JobDescription,
    Requirement,
    ScreenedCandidate,
    Shortlist,
)
from domain.entities import Candidate
from domain.errors import DomainError
from domain.skills import skill_pattern

__all__ = [
    "assess_requirement",
    "experience_text",
    "key_phrases",
    "rank_candidates",
    "screen_candidate",
    "screen_pool",
    "split_sentences",
    "verify_evidence",
]

MUST_HAVE_WEIGHT = 3
NICE_TO_HAVE_WEIGHT = 1
MAX_EVIDENCE = 3

_STATUS_CREDIT = {
    CriterionStatus.MET: 1.0,
    CriterionStatus.PARTIAL: 0.5,
    CriterionStatus.NOT_MET: 0.0,
}

_HEADINGS = frozenset(
    {
        "summary",
        "profile",
        "professional summary",
        "about",
        "about me",
        "objective",
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "education",
        "certifications",
        "projects",
        "languages",
        "publications",
        "interests",
        "volunteering",
        "awards",
    }
)
# Sections that list skills rather than describe work: what is in them is a claim, not evidence.
_SKILL_HEADINGS = frozenset(
    {"skills", "technical skills", "core skills", "key skills", "technologies", "tools"}
)
_SKILLS_LINE = re.compile(
    r"^(?:(?:technical|core|key|top|other)\s+)?(?:skills|technologies|tech stack|tools)\s*[:|–—]",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[-*•·▪–—]\s+")
# A sentence ends at . ! or ? (maybe followed by a closing quote or bracket) and whitespace, when
# the next sentence starts with a capital, a digit or an opening quote or bracket.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[A-Z0-9\"'(\[])")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "st", "no",
     "approx", "jr", "sr", "dept", "mt", "corp", "nr"}
)  # fmt: skip
_YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:years?|yrs)\b", re.IGNORECASE)
_ALTERNATIVES = re.compile(r"\bor\b|/", re.IGNORECASE)

# Words that carry no meaning of their own in a requirement ("Strong experience with ...").
_STOPWORDS = frozenset(
    """a an the of in on with for to at by as is are be from into using via our your we you
    strong solid proven excellent good great deep hands-on professional working commercial
    practical experience experienced knowledge understanding familiarity familiar background
    ability able skills skill years year yrs plus least minimum etc including like such very
    fluent fluency proficient proficiency native
    must should nice have has having some any other related relevant similar e.g i.e
    and or""".split()
)

_SegmentKind = Literal["heading", "claim", "body"]


@dataclass(frozen=True)
class _Segment:
    """A sentence or line of a resume, where it starts, and whether it can count as evidence."""

    text: str
    start: int
    kind: _SegmentKind


def _heading_of(line: str) -> str | None:
    """The normalised section name when ``line`` is a section heading, else None."""
    name = line.strip().rstrip(":").strip().lower()
    if len(name) <= 40 and (name in _HEADINGS or name in _SKILL_HEADINGS):
        return name
    return None


def _split_line(line: str, offset: int) -> list[tuple[str, int]]:
    """Split one stripped line into sentences, keeping each an exact substring of it."""
    pieces: list[tuple[str, int]] = []
    begin = 0
    for match in _SENTENCE_END.finditer(line):
        before = line[begin : match.start()].split()
        bare = before[-1].lower() if before else ""
        # "B.Sc.", "e.g." or an initial are not the end of a sentence.
        abbreviation = "." in bare or bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha())
        if line[match.start()] == "." and abbreviation:
            continue
        end = match.start() + 1
        while end < len(line) and line[end] in "\"')]":
            end += 1
        piece = line[begin:end].strip()
        if piece:
            pieces.append((piece, offset + begin + line[begin:end].find(piece)))
        begin = match.end()
    rest = line[begin:]
    if rest.strip():
        pieces.append((rest.strip(), offset + begin + rest.find(rest.strip())))
    return pieces


def _segments(text: str) -> list[_Segment]:
    """The resume cut into headings, claims (skills lines, header) and body sentences."""
    lines: list[tuple[str, int]] = []
    position = 0
    for raw in text.splitlines(keepends=True):
        lines.append((raw, position))
        position += len(raw)
    has_headings = any(_heading_of(raw) is not None for raw, _ in lines)
    # Before the first heading sit the name, headline and contact line: a self-description
    # like a skills line, so it counts as a claim. A resume with no headings is all body.
    section: str | None = None if has_headings else "body"
    segments: list[_Segment] = []
    for raw, start in lines:
        stripped = raw.strip()
        if not stripped:
            continue
        line_start = start + raw.find(stripped)
        heading = _heading_of(stripped)
        if heading is not None:
            section = heading
            segments.append(_Segment(stripped, line_start, "heading"))
            continue
        bullet = _BULLET.match(stripped)
        content = stripped[bullet.end() :] if bullet else stripped
        content_start = line_start + (bullet.end() if bullet else 0)
        claim = section is None or section in _SKILL_HEADINGS or bool(_SKILLS_LINE.match(content))
        kind: _SegmentKind = "claim" if claim else "body"
        for piece, piece_start in _split_line(content, content_start):
            segments.append(_Segment(piece, piece_start, kind))
    return segments


def split_sentences(text: str) -> list[str]:
    """The lines and sentences of a resume, in order, each stripped.

    Every item is an exact substring of ``text`` (bullet markers are left out), so it can be
    quoted as evidence and found again with ``quote in text``.
    """
    return [segment.text for segment in _segments(text)]


def experience_text(resume_text: str) -> str:
    """The parts of a resume that describe what the candidate did, one per line.

    Headings, the header under the name and skills lines are left out: listing a skill is a
    claim, not evidence of having used it.
    """
    return "\n".join(s.text for s in _segments(resume_text) if s.kind == "body")


def key_phrases(text: str) -> list[str]:
    """The key terms of a requirement that names no known skill, e.g. ``["payments", "fintech"]``.

    Years ("5+ years of") and filler words ("strong experience with") are dropped from the edges
    of each part; parts are split at commas, slashes, "and" and "or".
    """
    text = _YEARS.sub(" ", text)
    phrases: list[str] = []
    for chunk in re.split(r"[,;/&()]|\b(?:or|and|plus)\b", text, flags=re.IGNORECASE):
        words = re.findall(r"[A-Za-z0-9][A-Za-z0-9+#.\-]*", chunk)
        words = [w.rstrip(".") for w in words if w.rstrip(".")]
        while words and words[0].lower() in _STOPWORDS:
            words.pop(0)
        while words and words[-1].lower() in _STOPWORDS:
            words.pop()
        phrase = " ".join(words)
        if phrase and phrase.lower() not in (p.lower() for p in phrases):
            phrases.append(phrase)
    return phrases


def _word_pattern(word: str) -> re.Pattern[str]:
    """A whole-word pattern that also accepts a plural: "payments" matches "payment"."""
    stem = word.lower()
    if len(stem) > 3 and stem.endswith("s") and not stem.endswith("ss"):
        stem = stem[:-1]
    return re.compile(rf"(?<![\w+#]){re.escape(stem)}(?:s|es)?(?![\w+#])", re.IGNORECASE)


_Matcher = Callable[[str], bool]


def _phrase_matcher(phrase: str) -> _Matcher:
    """Matches a sentence that has every significant word of ``phrase``."""
    patterns = [_word_pattern(w) for w in phrase.split() if w.lower() not in _STOPWORDS]
    return lambda sentence: bool(patterns) and all(p.search(sentence) for p in patterns)


def _skill_matcher(skill: str) -> _Matcher:
    pattern = skill_pattern(skill)
    return lambda sentence: pattern.search(sentence) is not None


def _matchers(requirement: Requirement) -> list[_Matcher]:
    if requirement.skills:
        return [_skill_matcher(skill) for skill in requirement.skills]
    return [_phrase_matcher(phrase) for phrase in key_phrases(requirement.text)]


def _years_stated(segments: Iterable[_Segment]) -> int | None:
    """The most years any of these sentences states ("8 years", "5+ years"), if any."""
    found = [int(m.group(1)) for s in segments for m in _YEARS.finditer(s.text)]
    return max(found) if found else None


def assess_requirement(
    resume_text: str, requirement: Requirement, years_experience: int | None = None
) -> CriterionAssessment:
    """Judge one requirement against one resume, quoting up to three sentences as evidence.

    ``met``: every skill of the requirement (any one, when the requirement says "or") appears
    in a sentence about the candidate's work. ``partial``: only in a skills line or the header,
    only some of the skills, or fewer years than the requirement asks: years stated next to the
    skill ("8 years ... Python") win over ``years_experience``, the candidate's total.
    ``not_met``: not mentioned, and no evidence.
    """
    segments = [s for s in _segments(resume_text) if s.kind != "heading"]
    matchers = _matchers(requirement)
    any_of = bool(_ALTERNATIVES.search(requirement.text)) and len(matchers) > 1
    body_hits = [[s for s in segments if s.kind == "body" and m(s.text)] for m in matchers]
    claim_hits = [[s for s in segments if s.kind == "claim" and m(s.text)] for m in matchers]

    shown = [bool(hits) for hits in body_hits]
    claimed = [bool(hits) for hits in claim_hits]
    if not matchers:
        status = CriterionStatus.NOT_MET
    elif any_of:
        if any(shown):
            status = CriterionStatus.MET
        elif any(claimed):
            status = CriterionStatus.PARTIAL
        else:
            status = CriterionStatus.NOT_MET
    elif all(shown):
        status = CriterionStatus.MET
    elif any(shown) or any(claimed):
        status = CriterionStatus.PARTIAL
    else:
        status = CriterionStatus.NOT_MET

    if status is CriterionStatus.MET and requirement.min_years is not None:
        stated = _years_stated(s for hits in body_hits for s in hits)
        years = stated if stated is not None else years_experience
        if years is not None and years < requirement.min_years:
            status = CriterionStatus.PARTIAL

    chosen: list[_Segment] = []

    def take(segment: _Segment) -> None:
        if segment not in chosen and len(chosen) < MAX_EVIDENCE:
            chosen.append(segment)

    # One quote per skill first, so the evidence covers the whole requirement; claims only for
    # skills the experience does not show; then more experience if there is room.
    for hits in body_hits:
        if hits:
            take(hits[0])
    if status is not CriterionStatus.MET:
        for body, claims in zip(body_hits, claim_hits, strict=True):
            if not body:
                for segment in claims:
                    take(segment)
    for hits in body_hits:
        for segment in hits:
            take(segment)
    evidence = [s.text for s in sorted(chosen, key=lambda s: s.start)]
    if status is CriterionStatus.NOT_MET:
        evidence = []
    return CriterionAssessment(
        requirement=requirement.text, kind=requirement.kind, status=status, evidence=evidence
    )


def _label(requirement: Requirement) -> str:
    """How the summary names a requirement: its skills, or its text when it names none."""
    if requirement.skills:
        return "/".join(requirement.skills)
    text = requirement.text.strip()
    return text if len(text) <= 40 else text[:39].rstrip() + "…"


def _summary(
    must: list[tuple[Requirement, CriterionAssessment]],
    nice: list[tuple[Requirement, CriterionAssessment]],
) -> str:
    """One factual sentence about the requirements only: never about the person."""

    def labels(pairs: list[tuple[Requirement, CriterionAssessment]], status: str) -> list[str]:
        return [_label(req) for req, assessment in pairs if assessment.status == status]

    met = labels(must, CriterionStatus.MET)
    partial = labels(must, CriterionStatus.PARTIAL)
    missing = labels(must, CriterionStatus.NOT_MET)
    parts: list[str] = []
    if must:
        head = f"Meets {len(met)} of {len(must)} must-haves"
        parts.append(f"{head} ({', '.join(met)})" if met else head)
    else:
        parts.append("No must-haves to assess")
    if partial:
        parts.append(f"partial on {', '.join(partial)}")
    if missing:
        parts.append(f"no evidence for {', '.join(missing)}")
    if nice:
        nice_met = len(labels(nice, CriterionStatus.MET))
        parts.append(f"{nice_met} of {len(nice)} nice-to-haves")
    return "; ".join(parts) + "."


def screen_candidate(candidate: Candidate, jd: JobDescription) -> ScreenedCandidate:
    """Screen one candidate against every requirement of ``jd``.

    The score (0-100) weighs must-haves 3 and nice-to-haves 1, with met 1, partial 0.5 and
    not met 0. The rank is a placeholder 1 until :func:`rank_candidates` orders the list.
    """
    years = candidate.years_experience
    must = [(r, assess_requirement(candidate.resume_text, r, years)) for r in jd.must_haves]
    nice = [(r, assess_requirement(candidate.resume_text, r, years)) for r in jd.nice_to_haves]
    earned = sum(MUST_HAVE_WEIGHT * _STATUS_CREDIT[a.status] for _, a in must)
    earned += sum(NICE_TO_HAVE_WEIGHT * _STATUS_CREDIT[a.status] for _, a in nice)
    possible = MUST_HAVE_WEIGHT * len(must) + NICE_TO_HAVE_WEIGHT * len(nice)
    score = round(100 * earned / possible, 1) if possible else 0.0
    return ScreenedCandidate(
        candidate_id=candidate.id,
        name=candidate.name,
        rank=1,
        score=score,
        must_haves_met=sum(1 for _, a in must if a.status is CriterionStatus.MET),
        must_haves_total=len(must),
        assessments=[a for _, a in must] + [a for _, a in nice],
        summary=_summary(must, nice),
    )


def rank_candidates(screened: list[ScreenedCandidate]) -> list[ScreenedCandidate]:
    """Order by must-haves met, then score, then candidate id, and number the ranks from 1.

    Must-haves come first because a high score built on nice-to-haves should not outrank a
    candidate who has what the job cannot do without. Returns new objects.
    """
    ordered = sorted(screened, key=lambda c: (-c.must_haves_met, -c.score, c.candidate_id))
    return [c.model_copy(update={"rank": rank}) for rank, c in enumerate(ordered, start=1)]


def screen_pool(
    candidates: Iterable[Candidate], jd: JobDescription, *, limit: int | None = None
) -> Shortlist:
    """Screen and rank ``candidates`` for ``jd``; keep the best ``limit`` (all when None)."""
    if limit is not None and limit < 0:
        raise DomainError(f"limit must be 0 or more, got {limit}")
    ranked = rank_candidates([screen_candidate(c, jd) for c in candidates])
    return Shortlist(job_title=jd.title, candidates=ranked if limit is None else ranked[:limit])


def verify_evidence(shortlist: Shortlist, resumes: Mapping[str, str]) -> list[str]:
    """Problems with the evidence of a shortlist, in words a reviewer can act on.

    Flags every quote that is not found verbatim in that candidate's resume (``resumes`` maps
    candidate id to resume text), every "met" without a quote, and candidates with no resume to
    check against. An empty list means the evidence holds up.
    """
    problems: list[str] = []
    for candidate in shortlist.candidates:
        resume = resumes.get(candidate.candidate_id)
        if resume is None:
            problems.append(
                f"{candidate.candidate_id}: no resume to check the evidence against; "
                "add it or remove the candidate"
            )
            continue
        for assessment in candidate.assessments:
            where = f"{candidate.candidate_id}, '{assessment.requirement}'"
            if assessment.status is CriterionStatus.MET and not assessment.evidence:
                problems.append(f"{where}: marked met without any quoted evidence")
            for quote in assessment.evidence:
                if not quote.strip():
                    problems.append(f"{where}: an empty evidence quote")
                elif quote not in resume:
                    problems.append(f"{where}: quote not found verbatim in the resume: {quote!r}")
    return problems
