"""Criterion-by-criterion screening of resumes, with verbatim quotes as evidence.

Screening reads the blind view of each candidate (:mod:`domain.redaction`): no name, contact
data, photo, pronouns, birth date or graduation years. Each requirement of a job is judged on
its own, with one of four verdicts that are kept distinct:

- ``met``: the resume shows it in what the candidate did (summary, experience, education), with
  enough years when the requirement names years;
- ``partly``: it is only claimed (a skills line, the header under the name), only some of the
  skills of a multi-skill requirement are there, or the years stated fall short but are close
  (at least ``YEARS_CLOSE_RATIO`` of those asked for: 3 or 4 of "5+ years");
- ``not_met``: the resume says otherwise, quoted: "2 years of Python" where 5+ are required,
  or "no experience with Kubernetes";
- ``no_evidence``: nothing in the resume speaks to it.

Every quote is an exact substring of the text screened, so a reviewer can find it, and
:func:`verify_evidence` catches any quote that is not (for instance one an LLM made up).

Score and rank
--------------
The score (0-100) is the weighted share of credit earned: each must-have weighs
``MUST_HAVE_WEIGHT`` (3), each nice-to-have ``NICE_TO_HAVE_WEIGHT`` (1); ``met`` earns 1.0,
``partly`` 0.5, ``not_met`` and ``no_evidence`` 0. ``score = 100 * earned / possible``,
rounded to one decimal (0 when the job has no requirements).

The rank is a knock-out before the score: candidates who meet every must-have come first, then
those with every must-have at least partly shown, then everyone with a must-have ``not_met``
or ``no_evidence``. Within a tier: more must-haves met, then the higher score, then the
candidate id (so ties are stable). A high score built on nice-to-haves never outranks a
candidate who has what the job cannot do without.

The deterministic pass screens the whole pool; :func:`screen_pool` then keeps the top
``limit`` for the LLM screener, so model calls per requisition do not grow with the pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from domain.artifacts import (
    CriterionAssessment,
    CriterionStatus,
    JobDescription,
    Requirement,
    RequirementKind,
    ScreenedCandidate,
    Shortlist,
)
from domain.entities import Candidate
from domain.errors import DomainError
from domain.ingest.injection import find_injections
from domain.intake import parse_min_years
from domain.redaction import blind_view
from domain.skills import find_skills, skill_aliases, skill_pattern

__all__ = [
    "CREDIT",
    "MUST_HAVE_WEIGHT",
    "NICE_TO_HAVE_WEIGHT",
    "YEARS_CLOSE_RATIO",
    "assess_requirement",
    "experience_text",
    "key_phrases",
    "rank_candidates",
    "requirement_from_text",
    "screen_candidate",
    "screen_pool",
    "split_sentences",
    "verify_evidence",
]

MUST_HAVE_WEIGHT = 3
NICE_TO_HAVE_WEIGHT = 1
MAX_EVIDENCE = 3
YEARS_CLOSE_RATIO = 0.6

MET = CriterionStatus.MET
PARTLY = CriterionStatus.PARTLY
NOT_MET = CriterionStatus.NOT_MET
NO_EVIDENCE = CriterionStatus.NO_EVIDENCE

CREDIT: Mapping[CriterionStatus, float] = {MET: 1.0, PARTLY: 0.5, NOT_MET: 0.0, NO_EVIDENCE: 0.0}
"""Credit per verdict, as the score counts it."""

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


# A matcher returns where in a sentence the requirement is mentioned, or -1.
_Matcher = Callable[[str], int]


def _phrase_matcher(phrase: str) -> _Matcher:
    """Matches a sentence that has every significant word of ``phrase``."""
    patterns = [_word_pattern(w) for w in phrase.split() if w.lower() not in _STOPWORDS]

    def match(sentence: str) -> int:
        starts = []
        for pattern in patterns:
            found = pattern.search(sentence)
            if found is None:
                return -1
            starts.append(found.start())
        return min(starts) if starts else -1

    return match


def _skill_matcher(skill: str) -> _Matcher:
    pattern = skill_pattern(skill)

    def match(sentence: str) -> int:
        found = pattern.search(sentence)
        return found.start() if found is not None else -1

    return match


# Contrary statements about a skill that follows them in the same sentence: "no experience
# with Kubernetes", "never used Go", "not familiar with Terraform", "lack of SQL knowledge".
_NEGATION = re.compile(
    r"\b(?:no|zero)\s+(?:[\w-]+\s+){0,2}?(?:experience|exposure|knowledge|background"
    r"|familiarity)\b"
    r"|\b(?:not|never)\s+(?:yet\s+)?(?:[\w-]+\s+)?(?:used|worked|familiar|experienced|exposed"
    r"|touched|programmed|written|had)\b"
    r"|\b(?:have|has|had|did|do|does)n['’]?t\s+(?:yet\s+)?(?:used|worked|had|touched|written)\b"
    r"|\bunfamiliar\s+with\b|\black(?:s|ing)?\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?(?:experience"
    r"|exposure|knowledge)\b",
    re.IGNORECASE,
)
# How far after a negation a mention still belongs to it.
_NEGATION_REACH = 60


def _negated(sentence: str, position: int) -> bool:
    """Whether the mention at ``position`` follows a negation closely in ``sentence``."""
    return any(
        m.start() < position and position - m.end() <= _NEGATION_REACH
        for m in _NEGATION.finditer(sentence, 0, position + 1)
    )


@dataclass(frozen=True)
class _Criterion:
    """A requirement compiled once per job: its matchers and whether any one of them is enough."""

    requirement: Requirement
    matchers: tuple[_Matcher, ...]
    any_of: bool
    # Per matcher, the words one of which a text must contain for it to match anywhere (the
    # first word of each alias of the skill), or None to always look. Most candidates have
    # no evidence for most requirements; this skips scanning their sentences.
    anchors: tuple[frozenset[str] | None, ...]


_RUN = re.compile(r"[a-z0-9]+")


def _anchors(skill: str) -> frozenset[str] | None:
    runs = set()
    for alias in skill_aliases(skill) or (skill,):
        run = _RUN.search(alias.lower())
        if run is None:
            return None
        runs.add(run.group(0))
    return frozenset(runs)


def _criterion(requirement: Requirement) -> _Criterion:
    if requirement.skills:
        matchers = tuple(_skill_matcher(skill) for skill in requirement.skills)
        anchors = tuple(_anchors(skill) for skill in requirement.skills)
    else:
        phrases = key_phrases(requirement.text)
        matchers = tuple(_phrase_matcher(phrase) for phrase in phrases)
        anchors = tuple(None for _ in phrases)
    any_of = bool(_ALTERNATIVES.search(requirement.text)) and len(matchers) > 1
    return _Criterion(requirement, matchers, any_of, anchors)


def requirement_from_text(text: str, kind: RequirementKind) -> Requirement:
    """A requirement as a recruiter wrote it, with the skills and minimum years it names."""
    text = " ".join(text.split())
    return Requirement(
        text=text, kind=kind, skills=find_skills(text), min_years=parse_min_years(text)
    )


# "N years" about an organisation, not the candidate: "served clients for 30 years", "a firm
# with 40 years of history", "in business for 25 years".
_ORG_BEFORE = re.compile(
    r"\b(?:company|firm|business|organi[sz]ation|agency|clients?|customers?|established"
    r"|founded|history|served)\b[^.;]{0,50}$",
    re.IGNORECASE,
)
_ORG_AFTER = re.compile(
    r"\s*(?:of\s+(?:history|operations?|service|tradition|excellence)|in\s+(?:business"
    r"|operation)|old)\b",
    re.IGNORECASE,
)
# How far (in characters) a years phrase may stand from the skill it is about.
_YEARS_REACH = 60


def _stated_years(text: str, matchers: Sequence[_Matcher] = ()) -> list[int]:
    """The years of experience a sentence states about the candidate (and, given matchers,
    about the requirement: the phrase must stand near one of its mentions)."""
    mentions = [p for p in (m(text) for m in matchers) if p >= 0]
    stated: list[int] = []
    for match in _YEARS.finditer(text):
        if _ORG_BEFORE.search(text[: match.start()]) or _ORG_AFTER.match(text, match.end()):
            continue
        if matchers and not any(abs(p - match.start()) <= _YEARS_REACH for p in mentions):
            continue
        stated.append(int(match.group(1)))
    return stated


def _years_in(
    segments: Iterable[_Segment], matchers: Sequence[_Matcher] = ()
) -> tuple[int, list[_Segment]] | None:
    """The most years these sentences state ("8 years", "5+ years") and the ones that say so."""
    best: int | None = None
    where: list[_Segment] = []
    for segment in segments:
        stated = _stated_years(segment.text, matchers)
        if not stated:
            continue
        most = max(stated)
        if best is None or most > best:
            best, where = most, [segment]
        elif most == best:
            where.append(segment)
    return (best, where) if best is not None else None


def _short_of(years: int, wanted: int) -> CriterionStatus | None:
    """None when ``years`` is enough, else ``partly`` when close and ``not_met`` when far."""
    if years >= wanted:
        return None
    return PARTLY if years >= YEARS_CLOSE_RATIO * wanted else NOT_MET


def _quotes(
    status: CriterionStatus,
    shown: list[list[_Segment]],
    claimed: list[list[_Segment]],
    denied: list[list[_Segment]],
    contrary: list[_Segment],
) -> list[str]:
    """Up to ``MAX_EVIDENCE`` quotes in document order that support ``status``."""
    if status is NO_EVIDENCE:
        return []
    chosen: list[_Segment] = []

    def take(segment: _Segment) -> None:
        if segment not in chosen and len(chosen) < MAX_EVIDENCE:
            chosen.append(segment)

    # Contrary evidence first when it decided the verdict; then one quote per skill, so the
    # evidence covers the whole requirement; claims only for skills the experience does not
    # show; then more experience if there is room.
    for segment in contrary:
        take(segment)
    if status is NOT_MET:
        for hits in denied:
            for segment in hits:
                take(segment)
    for hits in shown:
        if hits:
            take(hits[0])
    if status is not MET:
        for body, claims in zip(shown, claimed, strict=True):
            if not body:
                for segment in claims:
                    take(segment)
    for hits in shown:
        for segment in hits:
            take(segment)
    return [s.text for s in sorted(chosen, key=lambda s: s.start)]


def _assess_years_only(
    segments: Sequence[_Segment], requirement: Requirement
) -> CriterionAssessment:
    """A requirement that names years and nothing else ("5+ years of experience")."""
    wanted = requirement.min_years or 0
    stated = _years_in(s for s in segments if s.kind == "body")
    if stated is None:
        return _assessment(requirement, NO_EVIDENCE, [], "the resume states no years")
    years, where = stated
    status = _short_of(years, wanted) or MET
    quotes = [s.text for s in where[:MAX_EVIDENCE]]
    return _assessment(requirement, status, quotes, f"states {years} years; {wanted} asked")


def _assessment(
    requirement: Requirement, status: CriterionStatus, evidence: list[str], reason: str
) -> CriterionAssessment:
    return CriterionAssessment(
        requirement=requirement.text,
        kind=requirement.kind,
        status=status,
        evidence=evidence,
        reason=reason,
    )


def _assess(
    segments: Sequence[_Segment],
    criterion: _Criterion,
    years_experience: int | None,
    words: frozenset[str] | None = None,
) -> CriterionAssessment:
    """Judge one compiled requirement against the content segments of one resume.

    ``words`` (the lower-case alphanumeric runs of the resume) lets a skill that cannot occur
    skip the sentence scan.
    """
    requirement = criterion.requirement
    if not criterion.matchers:
        if requirement.min_years is not None:
            return _assess_years_only(segments, requirement)
        return _assessment(requirement, NO_EVIDENCE, [], "the requirement names nothing to check")

    shown: list[list[_Segment]] = []
    claimed: list[list[_Segment]] = []
    denied: list[list[_Segment]] = []
    for matcher, anchors in zip(criterion.matchers, criterion.anchors, strict=True):
        body: list[_Segment] = []
        claims: list[_Segment] = []
        negated: list[_Segment] = []
        possible = words is None or anchors is None or not words.isdisjoint(anchors)
        for segment in segments if possible else ():
            position = matcher(segment.text)
            if position < 0:
                continue
            if _negated(segment.text, position):
                negated.append(segment)
            elif segment.kind == "body":
                body.append(segment)
            else:
                claims.append(segment)
        shown.append(body)
        claimed.append(claims)
        denied.append(negated)

    is_shown = [bool(hits) for hits in shown]
    is_claimed = [bool(hits) for hits in claimed]
    is_denied = [
        bool(d) and not s and not c for d, s, c in zip(denied, shown, claimed, strict=True)
    ]
    reason = ""
    if criterion.any_of:
        if any(is_shown):
            status = MET
        elif any(is_claimed):
            status, reason = PARTLY, "only listed, not shown in the experience"
        elif any(is_denied):
            status, reason = NOT_MET, "the resume says the candidate lacks it"
        else:
            status = NO_EVIDENCE
    elif all(is_shown):
        status = MET
    elif not any(is_shown) and not any(is_claimed):
        if any(is_denied):
            status, reason = NOT_MET, "the resume says the candidate lacks it"
        else:
            status = NO_EVIDENCE
    elif not any(is_shown):
        status, reason = PARTLY, "only listed, not shown in the experience"
    else:
        status, reason = PARTLY, "only some of the skills it names are shown"

    contrary: list[_Segment] = []
    wanted = requirement.min_years
    if wanted is not None and status in (MET, PARTLY):
        # Years stated next to the skill ("8 years ... Python") win over the candidate's total.
        stated = _years_in((s for hits in shown + claimed for s in hits), criterion.matchers)
        if stated is not None:
            years, where = stated
            source = f"states {years} years"
        elif years_experience is not None:
            years, where, source = years_experience, [], f"{years_experience} years in total"
        else:
            years, where, source = wanted, [], ""
        verdict = _short_of(years, wanted)
        # Close years make a met requirement partly met; far-off years contradict it.
        if verdict is NOT_MET or (verdict is PARTLY and status is MET):
            status, reason, contrary = verdict, f"{source}; {wanted}+ asked", where
    evidence = _quotes(status, shown, claimed, denied, contrary)
    if status is NO_EVIDENCE:
        reason = "nothing in the resume speaks to it"
    return _assessment(requirement, status, evidence, reason)


def _content(text: str) -> list[_Segment]:
    # Lines addressed to an AI ("ignore all previous instructions...") are never evidence, not
    # even their later sentences, in a pool that did not come through ingestion (which removes
    # them at import).
    injected = find_injections(text)
    return [
        s
        for s in _segments(text)
        if s.kind != "heading" and not any(s.text in line for line in injected)
    ]


def assess_requirement(
    resume_text: str, requirement: Requirement, years_experience: int | None = None
) -> CriterionAssessment:
    """Judge one requirement against one resume text, quoting up to three sentences.

    ``met``: every skill of the requirement (any one, when the requirement says "or") appears
    in a sentence about the candidate's work, with the years asked. ``partly``: only in a skills
    line or the header, only some of the skills, or years short but close. ``not_met``: a
    sentence denies it, or the years stated are far short; the quotes are that contrary
    evidence. ``no_evidence``: nothing speaks to it, and no quote. Years stated next to the
    skill ("8 years ... Python") win over ``years_experience``, the candidate's total.
    """
    return _assess(_content(resume_text), _criterion(requirement), years_experience)


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

    def labels(
        pairs: list[tuple[Requirement, CriterionAssessment]], status: CriterionStatus
    ) -> list[str]:
        return [_label(req) for req, assessment in pairs if assessment.status is status]

    met = labels(must, MET)
    parts: list[str] = []
    if must:
        head = f"Meets {len(met)} of {len(must)} must-haves"
        parts.append(f"{head} ({', '.join(met)})" if met else head)
    else:
        parts.append("No must-haves to assess")
    wording = ((PARTLY, "partly on"), (NOT_MET, "not met on"), (NO_EVIDENCE, "no evidence for"))
    for status, words in wording:
        found = labels(must, status)
        if found:
            parts.append(f"{words} {', '.join(found)}")
    if nice:
        nice_met = len(labels(nice, MET))
        parts.append(f"{nice_met} of {len(nice)} nice-to-haves")
    return "; ".join(parts) + "."


def _screen(
    candidate: Candidate, jd: JobDescription, must: Sequence[_Criterion], nice: Sequence[_Criterion]
) -> ScreenedCandidate:
    segments = _content(candidate.resume_text)
    words = frozenset(_RUN.findall(candidate.resume_text.lower()))
    years = candidate.years_experience
    must_pairs = [(c.requirement, _assess(segments, c, years, words)) for c in must]
    nice_pairs = [(c.requirement, _assess(segments, c, years, words)) for c in nice]
    earned = sum(MUST_HAVE_WEIGHT * CREDIT[a.status] for _, a in must_pairs)
    earned += sum(NICE_TO_HAVE_WEIGHT * CREDIT[a.status] for _, a in nice_pairs)
    possible = MUST_HAVE_WEIGHT * len(must_pairs) + NICE_TO_HAVE_WEIGHT * len(nice_pairs)
    score = round(100 * earned / possible, 1) if possible else 0.0
    return ScreenedCandidate(
        candidate_id=candidate.id,
        name=candidate.name,
        rank=1,
        score=score,
        must_haves_met=sum(1 for _, a in must_pairs if a.status is MET),
        must_haves_total=len(must_pairs),
        assessments=[a for _, a in must_pairs] + [a for _, a in nice_pairs],
        summary=_summary(must_pairs, nice_pairs),
    )


_PLACEHOLDER = re.compile(r"\[[a-z][a-z ]*\]")
_MIN_FRAGMENT = 12


def _verbatim(quote: str, original: str) -> str | None:
    """The quote as it stands in the candidate's own text, or its longest part that does.

    Screening reads the blind view, where names, dates and contacts are placeholders; a quote
    must still be verbatim in the stored resume. A quote without a placeholder is; otherwise
    the longest placeholder-free fragment that is in the original is quoted (it is in the
    blind text too). None when no fragment of useful length survives.
    """
    if quote in original:
        return quote
    fragments = sorted(
        (f.strip(" \t,;:()-") for f in _PLACEHOLDER.split(quote)), key=len, reverse=True
    )
    for fragment in fragments:
        if len(fragment) >= _MIN_FRAGMENT and fragment in original:
            return fragment
    return None


def _ground_in(screened: ScreenedCandidate, original: str) -> ScreenedCandidate:
    """Quotes mapped onto the original text; a verdict left with no quote has no evidence."""
    assessments = []
    for assessment in screened.assessments:
        quotes = [q for q in (_verbatim(e, original) for e in assessment.evidence) if q]
        update: dict[str, object] = {"evidence": list(dict.fromkeys(quotes))}
        if assessment.evidence and not quotes:
            update |= {"status": NO_EVIDENCE, "reason": "only redacted text speaks to it"}
        assessments.append(assessment.model_copy(update=update))
    return _rescored(screened.model_copy(update={"assessments": assessments}))


def _rescored(screened: ScreenedCandidate) -> ScreenedCandidate:
    """Score and must-haves met recomputed from the assessments (after grounding)."""
    must = [a for a in screened.assessments if a.kind == "must_have"]
    nice = [a for a in screened.assessments if a.kind == "nice_to_have"]
    earned = sum(MUST_HAVE_WEIGHT * CREDIT[a.status] for a in must)
    earned += sum(NICE_TO_HAVE_WEIGHT * CREDIT[a.status] for a in nice)
    possible = MUST_HAVE_WEIGHT * len(must) + NICE_TO_HAVE_WEIGHT * len(nice)
    return screened.model_copy(
        update={
            "score": round(100 * earned / possible, 1) if possible else 0.0,
            "must_haves_met": sum(1 for a in must if a.status is MET),
        }
    )


def _screen_blind(
    candidate: Candidate, jd: JobDescription, must: Sequence[_Criterion], nice: Sequence[_Criterion]
) -> ScreenedCandidate:
    screened = _screen(blind_view(candidate), jd, must, nice)
    return _ground_in(screened, candidate.resume_text)


def screen_candidate(
    candidate: Candidate, jd: JobDescription, *, blind: bool = True
) -> ScreenedCandidate:
    """Screen one candidate against every requirement of ``jd`` (see the module docstring).

    With ``blind`` (the default) the candidate's blind view is screened and the result carries
    no name; every quote is verbatim in both the blind text and the candidate's own text.
    The rank is a placeholder 1 until :func:`rank_candidates` orders the list.
    """
    must = [_criterion(r) for r in jd.must_haves]
    nice = [_criterion(r) for r in jd.nice_to_haves]
    if blind:
        return _screen_blind(candidate, jd, must, nice)
    return _screen(candidate, jd, must, nice)


def _gaps(candidate: ScreenedCandidate) -> int:
    """How many must-haves the candidate shows nothing of, or the resume contradicts."""
    return sum(
        1
        for a in candidate.assessments
        if a.kind == "must_have" and a.status in (NOT_MET, NO_EVIDENCE)
    )


def _tier(candidate: ScreenedCandidate) -> int:
    if candidate.must_haves_met >= candidate.must_haves_total:
        return 0
    return 1 if _gaps(candidate) == 0 else 2


def rank_candidates(screened: list[ScreenedCandidate]) -> list[ScreenedCandidate]:
    """Order by tier (all must-haves met; none missing; some missing), then must-haves met,
    then score, then candidate id, and number the ranks from 1. Returns new objects."""
    ordered = sorted(
        screened, key=lambda c: (_tier(c), -c.must_haves_met, -c.score, c.candidate_id)
    )
    return [c.model_copy(update={"rank": rank}) for rank, c in enumerate(ordered, start=1)]


def screen_pool(
    candidates: Iterable[Candidate],
    jd: JobDescription,
    *,
    limit: int | None = None,
    blind: bool = True,
) -> Shortlist:
    """Screen every candidate for ``jd``, rank them all, and keep the best ``limit``.

    The deterministic pass always screens the whole pool, so the cut is by evidence, not by
    order of arrival; ``limit`` (all when None) is how many the LLM screener then sees.
    ``pool_size`` on the result says how many were screened.
    """
    if limit is not None and limit < 0:
        raise DomainError(f"limit must be 0 or more, got {limit}")
    must = [_criterion(r) for r in jd.must_haves]
    nice = [_criterion(r) for r in jd.nice_to_haves]
    screened = [
        _screen_blind(c, jd, must, nice) if blind else _screen(c, jd, must, nice)
        for c in candidates
    ]
    ranked = rank_candidates(screened)
    return Shortlist(
        job_title=jd.title,
        candidates=ranked if limit is None else ranked[:limit],
        pool_size=len(ranked),
    )


def verify_evidence(shortlist: Shortlist, resumes: Mapping[str, str]) -> list[str]:
    """Problems with the evidence of a shortlist, in words a reviewer can act on.

    ``resumes`` maps candidate id to the blind texts (:func:`domain.redaction.blind_texts`) or
    the original resumes: screening quotes only what is verbatim in both. Flags every quote
    not found verbatim in the text given, every ``met``, ``partly`` or
    ``not_met`` without a quote (``not_met`` claims contrary evidence; silence is
    ``no_evidence``), and candidates with no resume to check against. An empty list means the
    evidence holds up.
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
            if assessment.status is not NO_EVIDENCE and not assessment.evidence:
                problems.append(
                    f"{where}: marked {assessment.status.value} without any quoted evidence"
                    + (
                        "; say no_evidence when the resume is silent"
                        if assessment.status is NOT_MET
                        else ""
                    )
                )
            for quote in assessment.evidence:
                if not quote.strip():
                    problems.append(f"{where}: an empty evidence quote")
                elif quote not in resume:
                    problems.append(f"{where}: quote not found verbatim in the resume: {quote!r}")
    return problems
