"""Deterministic compliance checks per pipeline stage: the first gate before the reviewer agent.

These rules run without any model, so they hold even if the reviewer agent is fooled or switched
off (OWASP LLM07 test idea: "disable the LLM reviewer and confirm hard rules still block"). Rule
ids follow COMPLIANCE.md: JD-1/JD-2 (language, statements), SCR-1..SCR-5 (search and screening),
OUT-1..OUT-6 (outreach). Hard findings block the gate, soft ones warn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel

from domain.artifacts import (
    Finding,
    InterviewSlot,
    JobDescription,
    OutreachMessage,
    OutreachPlan,
    Review,
    Severity,
    Shortlist,
    SourcingReport,
    verdict_for,
)
from domain.errors import DomainError, InvalidArtifactError
from domain.language import REQUIRED_STATEMENTS, lint_text, missing_statements
from domain.scheduling import invite_covers
from domain.screening import verify_evidence
from domain.skills import find_skills

# A published JD shorter than this cannot hold duties, requirements and the JD-2 statements.
_MIN_JD_TEXT = 200

_I = re.IGNORECASE


def _words(words: str) -> str:
    """A whole-word alternation of comma-separated ``words``; a space in a phrase also matches
    hyphens and runs of whitespace ("native speaker", "native-speaker")."""
    items = [re.escape(w.strip()).replace(r"\ ", r"[\s-]+") for w in words.split(",")]
    # Longest first, so "african americans" wins over "african american".
    return r"\b(?:" + "|".join(sorted(items, key=len, reverse=True)) + r")\b"


@dataclass(frozen=True)
class _Term:
    """One family of protected-attribute or proxy wording (COMPLIANCE 5.4-5.6)."""

    category: str
    pattern: re.Pattern[str]
    severity: Severity = "hard"


def _term(category: str, pattern: str, severity: Severity = "hard") -> _Term:
    return _Term(category, re.compile(pattern, _I), severity)


# Demonyms are only flagged next to a word that makes them about people ("Indian nationals",
# "British candidates"): alone they are often markets or languages ("North American market",
# "fluent German"), which are job-related.
_DEMONYMS = _words(
    "american, british, english, indian, mexican, canadian, australian, nigerian, pakistani, "
    "filipino, brazilian, irish, scottish, chinese, japanese, korean, german, french, spanish, "
    "italian, polish, russian, ukrainian, turkish, vietnamese, european, african, "
    "latin american, middle eastern, local"
)
_PEOPLE_NOUNS = _words(
    "national, nationals, citizen, citizens, born, origin, origins, descent, heritage, "
    "background, candidate, candidates, applicant, applicants, people, person, persons, only, "
    "men, women, male, males, female, females, guys, passport, passports"
)

# Product names that carry a year ("SQL Server 2008") are skills, not graduation proxies.
_YEAR_PRODUCTS = frozenset(
    "server windows office studio excel iso sql exchange access project visio word outlook "
    "sharepoint dynamics ecmascript ecma es c++ fortran ansi autocad revit quickbooks vs".split()
)

_TERMS: tuple[_Term, ...] = (
    _term(
        "age",
        _words("young, younger, youngest, youthful, old, older, oldest, elderly, age, aged, ages"),
    ),
    _term(
        "graduation year",
        r"\bclass\s+of\s+'?\d{2,4}\b|\b(?:graduat\w*|grad)\s+(?:in\s+|year\s+)?(?:19|20)\d{2}\b"
        r"|\b(?:graduation|grad)\s+(?:years?|dates?)\b|\byear\s+of\s+graduation\b",
    ),
    _term(
        "date of birth",
        _words("date of birth, birth date, birthdate, birthday, dob, year of birth")
        + r"|\bborn\s+(?:in|on|after|before)\s+(?:19|20)\d{2}\b",
    ),
    _term(
        "sex",
        _words(
            "female, females, male, males, woman, women, man, men, gender, genders, sex, girl, "
            "girls, boy, boys, lady, ladies, transgender, non-binary, nonbinary"
        ),
    ),
    _term(
        "sexual orientation",
        _words("gay, lesbian, lesbians, homosexual, heterosexual, bisexual, sexual orientation")
        + r"|\blgbt\w*",
    ),
    _term(
        "race or ethnicity",
        _words(
            "racial, ethnic, ethnicity, ethnicities, caucasian, asian, asians, hispanic, "
            "hispanics, latino, latina, latinos, latinas, latinx, african american, "
            "african americans, arab, arabs, indigenous, aboriginal, skin color, skin colour"
        )
        # "race condition(s)" is a concurrency skill.
        + r"|\braces?\b(?![\s-]+conditions?\b)"
        + r"|\b(?:black|white)[\s-]+(?:people|persons|candidates|applicants|men|women|males"
        r"|females|guys|employees|workers|talent|only)\b"
        # Colour words are common in tech compounds: white-box, whiteboard, black belt, ...
         + r"|\b(?:black|white)s?\b(?![\s-]*(?:box|boxes|board|boards|hats?|lists?|listed"
        r"|listing|papers?|space|labels?|belts?|friday|duck|rock|berry|smith|glove))",
    ),
    _term(
        "religion",
        _words(
            "religion, religions, religious, christian, christians, christianity, muslim, "
            "muslims, islam, islamic, jewish, jew, jews, judaism, hindu, hindus, hinduism, sikh, "
            "sikhs, buddhist, buddhists, catholic, catholics, protestant, protestants, mormon, "
            "mormons, atheist, atheists, church, churches, churchgoer, churchgoers, mosque, "
            "synagogue"
        ),
    ),
    _term("pregnancy", _words("pregnant, pregnancy, pregnancies")),
    _term("marital status", _words("married, unmarried, marital, divorced, widowed, spouse")),
    _term("disability", _words("disabled, handicapped, able-bodied, able bodied")),
    _term(
        "national origin",
        _words(
            "nationality, nationalities, national origin, foreigner, foreigners, immigrant, "
            "immigrants"
        )
        + rf"|\bnon[\s-]+{_DEMONYMS}|{_DEMONYMS}[\s-]+{_PEOPLE_NOUNS}",
    ),
    _term("citizenship", _words("citizen, citizens, citizenship")),
    # Immigration status is sometimes legally required, so it only warns.
    _term("immigration status", _words("visa, visas, green card, green cards, h-1b, h1b"), "soft"),
    _term(
        "native language",
        r"\bnative[\s-]+(?:english[\s-]+)?(?:speakers?|english|language|tongue)\b"
        r"|\bnon[\s-]+native\b|\bmother[\s-]+tongue\b",
    ),
    _term(
        "photo",
        _words("photo, photos, photograph, photographs, headshot, headshots, selfie, selfies"),
    ),
    _term("HBCU", _words("hbcu, hbcus")),
    _term(
        "ZIP code",
        _words(
            "zip code, zip codes, zipcode, zipcodes, postal code, postal codes, postcode, postcodes"
        )
        + r"|\b\d{5}-\d{4}\b"
        # A state code before five digits ("NY 10001") is an address; a bare "OR" is the Boolean
        # operator of a ZIP list unless a comma makes it Oregon ("Portland, OR 97201").
        + r"|(?:,\s*(?-i:[A-Z]{2})|\b(?-i:(?!OR\b)[A-Z]{2}))\s+\d{5}\b",
    ),
)

# 1950-2010: plausible graduation or first-job years, i.e. age proxies (EEOC informal letters).
_YEAR_RE = re.compile(r"(?<![\w.$:/])(?:19[5-9]\d|200\d|2010)(?![\w%]|\.\d)")
_PREVIOUS_WORD_RE = re.compile(r"([\w+]+)\W*$")
# One five-digit number is usually a quantity ("50000 users"); several in a row, separated only
# by commas, bars, slashes or OR, are a ZIP filter ("60601 OR 60602").
_ZIP = r"\d{5}(?:-\d{4})?"
_ZIP_LIST_RE = re.compile(
    rf"(?<![\w.$,]){_ZIP}(?:\s*(?:[,;|/]|\bOR\b)?\s*\(?\s*{_ZIP})+(?![\w%]|\.\d)", _I
)
_FIVE_DIGITS_RE = re.compile(_ZIP)

# Terms that are also common surnames (Ms Young, Mr White, Ann Christian). In prose a capitalised
# one mid-sentence is taken as a name; at the start of a sentence it is still flagged.
_SURNAME_LIKE = frozenset({"young", "white", "black", "man", "christian", "church", "gay", "old"})
_SENTENCE_END_RE = re.compile(r"(?:^|[.!?:;\n]\s*|^\s+)$")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    category: str
    severity: Severity
    span: str


def _is_name_like(text: str, hit: _Hit) -> bool:
    """Whether a hit in prose is a capitalised surname-like word in the middle of a sentence."""
    return (
        hit.span.lower() in _SURNAME_LIKE
        and hit.span[:1].isupper()
        and not _SENTENCE_END_RE.search(text[max(0, hit.start - 40) : hit.start])
    )


def _protected_hits(text: str, *, prose: bool = False) -> list[_Hit]:
    """Protected-attribute and proxy wording in ``text``: the one term list every rule shares.

    Used by the search-query linter (SCR-2), the shortlist check (SCR-1) and the outreach check
    (OUT-2). Overlapping matches keep the longest, so "graduated in 2004" is one finding. With
    ``prose``, capitalised surname-like words mid-sentence ("I'm Sam White") are names, not
    findings; queries are not prose, since Boolean syntax makes capitalisation meaningless.
    """
    hits: list[_Hit] = []
    for term in _TERMS:
        hits.extend(
            _Hit(m.start(), m.end(), term.category, term.severity, m.group(0))
            for m in term.pattern.finditer(text)
        )
    for match in _YEAR_RE.finditer(text):
        previous = _PREVIOUS_WORD_RE.search(text[max(0, match.start() - 40) : match.start()])
        if previous and previous.group(1).lower() in _YEAR_PRODUCTS:
            continue
        hits.append(_Hit(match.start(), match.end(), "year", "hard", match.group(0)))
    for listed in _ZIP_LIST_RE.finditer(text):
        hits.extend(
            _Hit(listed.start() + m.start(), listed.start() + m.end(), "ZIP code", "hard", m[0])
            for m in _FIVE_DIGITS_RE.finditer(listed.group(0))
        )

    accepted: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if accepted and hit.start < accepted[-1].end:
            continue
        accepted.append(hit)
    if prose:
        accepted = [hit for hit in accepted if not _is_name_like(text, hit)]
    return accepted


def protected_terms(text: str, *, prose: bool = False) -> list[str]:
    """The protected-attribute or proxy wording found in ``text`` (empty when there is none).

    ``prose=True`` takes capitalised surname-like words mid-sentence as names (see review rules).
    """
    return [hit.span for hit in _protected_hits(text, prose=prose)]


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Findings without repeats of the same (rule, span); the first ``where`` is kept."""
    seen: set[tuple[str, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        # Findings without a span are only duplicates of the exact same message.
        key = (finding.rule, finding.span if finding.span is not None else "\0" + finding.message)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _located(findings: Iterable[Finding], where: str) -> list[Finding]:
    return [f if f.where else f.model_copy(update={"where": where}) for f in findings]


def review_job_description(jd: JobDescription, intake_notes: str | None = None) -> list[Finding]:
    """JD-1 language findings per field, JD-2 missing statements, JD-3 when the text is too short,
    and, given the intake notes, JD-4 facts the notes do not state.

    Language findings carry the field path in ``where`` (``must_haves[0].text``); the same
    (rule, span) found in several fields is reported once, at its first place.
    """
    fields: list[tuple[str, str]] = [("title", jd.title), ("summary", jd.summary)]
    fields += [(f"responsibilities[{i}]", text) for i, text in enumerate(jd.responsibilities)]
    fields += [(f"must_haves[{i}].text", req.text) for i, req in enumerate(jd.must_haves)]
    fields += [(f"nice_to_haves[{i}].text", req.text) for i, req in enumerate(jd.nice_to_haves)]
    fields.append(("text", jd.text))

    findings: list[Finding] = []
    for where, text in fields:
        if text.strip():
            findings.extend(_located(lint_text(text, where=where), where))
    findings.extend(_located(missing_statements(jd.text), "text"))
    if intake_notes is not None:
        findings.extend(invented_facts(jd, intake_notes))
    length = len(jd.text.strip())
    if length < _MIN_JD_TEXT:
        findings.append(
            Finding(
                rule="JD-3",
                severity="hard",
                message=(
                    f"The published text is {length} characters long; at least {_MIN_JD_TEXT} "
                    "are needed for duties, requirements and the required statements."
                ),
                where="text",
                suggestion="Publish the full job description, not a fragment.",
            )
        )
    return _dedupe(findings)


# A figure as job ads write them: "5+", "150,000", "$150k", "40%", "3.5". Years like "2026"
# are figures too: a founding year or a date the notes do not give is invented as well.
_FIGURE = re.compile(r"(?<![\w.])[$€£]?(\d[\d,]*(?:\.\d+)?)\s*([kK]\b)?")


def _figures(text: str) -> set[str]:
    """The numbers ``text`` states, normalised ("150k" and "150,000" are both "150000")."""
    found: set[str] = set()
    for match in _FIGURE.finditer(text):
        digits = match.group(1).replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            continue
        if match.group(2):
            value *= 1000
        found.add(f"{value:g}")
    return found


def _without_statements(text: str) -> str:
    """``text`` without our required statements (their figures, "144", are ours)."""
    for statement in REQUIRED_STATEMENTS.values():
        text = text.replace(statement, " ")
    return text


def invented_facts(jd: JobDescription, intake_notes: str) -> list[Finding]:
    """JD-4: figures and skills in the job description that the intake notes never state.

    A job description may only promise what the hiring team said: a salary, a team size, a
    number of years or a technology the notes do not mention is invented (by a writer model,
    or by an edit) and would mislead applicants. Hard: the reviewer sends the draft back.
    """
    notes_figures = _figures(intake_notes)
    notes_skills = set(find_skills(intake_notes))
    published = _without_statements(jd.text)
    findings: list[Finding] = []
    for figure in sorted(_figures(published) - notes_figures, key=lambda f: float(f)):
        findings.append(
            Finding(
                rule="JD-4",
                severity="hard",
                message=f"The job description states the figure {figure}, which the intake "
                "notes do not give: facts must come from the hiring team.",
                where="text",
                span=figure,
                suggestion="Remove it, or add it to the intake notes if it is true.",
            )
        )
    for skill in sorted(set(find_skills(published)) - notes_skills):
        findings.append(
            Finding(
                rule="JD-4",
                severity="hard",
                message=f"The job description asks for or mentions {skill!r}, which the intake "
                "notes never mention: requirements must come from the hiring team.",
                where="text",
                span=skill,
                suggestion="Remove it, or add it to the intake notes if the team needs it.",
            )
        )
    return findings


def _term_findings(
    text: str,
    *,
    rule: str,
    subject: str,
    where: str | None,
    suggestion: str,
    prose: bool = True,
) -> list[Finding]:
    return [
        Finding(
            rule=rule,
            severity=hit.severity,
            message=(
                f"{subject} uses {hit.category} wording {hit.span!r}, a protected attribute "
                "or a proxy for one."
            ),
            where=where,
            span=hit.span,
            suggestion=suggestion,
        )
        for hit in _protected_hits(text, prose=prose)
    ]


def lint_search_query(query: str, *, where: str | None = None) -> list[Finding]:
    """SCR-2: protected-attribute or proxy terms in a Boolean or semantic search query.

    Terms are whole words, case-insensitive; visa wording is soft (sometimes legally required),
    everything else is hard.
    """
    return _term_findings(
        query,
        rule="SCR-2",
        subject="The search",
        where=where,
        suggestion="Remove it; search on job-related skills, experience and qualifications only.",
        prose=False,
    )


def review_sourcing(report: SourcingReport) -> list[Finding]:
    """SCR-2 over the plan's queries and skill filters, and a soft SRC-1 when nothing was found."""
    plan = report.plan
    fields: list[tuple[str, str]] = [
        ("plan.boolean_query", plan.boolean_query),
        ("plan.semantic_query", plan.semantic_query),
    ]
    fields += [(f"plan.required_skills[{i}]", s) for i, s in enumerate(plan.required_skills)]
    fields += [(f"plan.optional_skills[{i}]", s) for i, s in enumerate(plan.optional_skills)]
    findings: list[Finding] = []
    for where, text in fields:
        findings.extend(lint_search_query(text, where=where))
    if not report.results.candidates:
        findings.append(
            Finding(
                rule="SRC-1",
                severity="soft",
                message="The search found no candidates.",
                where="results.candidates",
                suggestion="Broaden the query: fewer required skills or a wider location.",
            )
        )
    return findings


def _mask_name(text: str, name: str) -> str:
    """``text`` with the words of ``name`` blanked: surnames like Young or White are no finding.

    Case-sensitive, so "Young" the name goes while "young" the adjective is still checked.
    """
    for part in set(re.findall(r"\w{2,}", name)):
        text = re.sub(rf"\b{re.escape(part)}\b", " " * len(part), text)
    return text


def review_shortlist(shortlist: Shortlist, resumes: Mapping[str, str]) -> list[Finding]:
    """SCR-3 ungrounded evidence, SCR-1 protected wording, SCR-4 bad ranks/counts, SCR-5 empty."""
    ids = sorted({c.candidate_id for c in shortlist.candidates}, key=len, reverse=True)
    findings = [
        Finding(
            rule="SCR-3",
            severity="hard",
            message=problem,
            # Problems start with the candidate id; the longest matching id is the right one.
            where=next((i for i in ids if problem.startswith((f"{i}:", f"{i},"))), None),
            suggestion="Quote the resume verbatim or drop the claim.",
        )
        for problem in verify_evidence(shortlist, resumes)
    ]

    flagged_requirements: set[str] = set()
    for i, candidate in enumerate(shortlist.candidates):
        findings += _term_findings(
            _mask_name(candidate.summary, candidate.name),
            rule="SCR-1",
            subject="The candidate summary",
            where=f"candidates[{i}].summary",
            suggestion="Describe job-related evidence only.",
        )
        for j, assessment in enumerate(candidate.assessments):
            # The same requirement is judged for every candidate: report it once.
            if assessment.requirement in flagged_requirements:
                continue
            found = _term_findings(
                assessment.requirement,
                rule="SCR-1",
                subject="A screening criterion",
                where=f"candidates[{i}].assessments[{j}].requirement",
                suggestion="Screen on job-related requirements only.",
            )
            if found:
                flagged_requirements.add(assessment.requirement)
                findings += found

    ranks = [candidate.rank for candidate in shortlist.candidates]
    if ranks != list(range(1, len(ranks) + 1)):
        findings.append(
            Finding(
                rule="SCR-4",
                severity="hard",
                message=f"Ranks must be 1..{len(ranks)} in order, got {ranks}.",
                where="candidates",
            )
        )
    seen_ids: set[str] = set()
    for i, candidate in enumerate(shortlist.candidates):
        if candidate.must_haves_met > candidate.must_haves_total:
            findings.append(
                Finding(
                    rule="SCR-4",
                    severity="hard",
                    message=(
                        f"{candidate.must_haves_met} must-haves met out of "
                        f"{candidate.must_haves_total}: more met than exist."
                    ),
                    where=f"candidates[{i}]",
                )
            )
        if candidate.candidate_id in seen_ids:
            findings.append(
                Finding(
                    rule="SCR-4",
                    severity="hard",
                    message=f"Candidate {candidate.candidate_id!r} is listed more than once.",
                    where=f"candidates[{i}]",
                )
            )
        seen_ids.add(candidate.candidate_id)

    if not shortlist.candidates:
        findings.append(
            Finding(
                rule="SCR-5",
                severity="soft",
                message="The shortlist is empty.",
                where="candidates",
                suggestion="Revisit the must-haves or the sourcing before outreach.",
            )
        )
    return findings


# OWASP LLM05: anything a mail client could render or fetch. Kept in step with the sanitiser of
# domain/outreach.py, whose output must never trip these.
_ACTIVE_CONTENT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("markdown image", re.compile(r"!\[[^\]]*\]\([^)]*\)")),
    ("markdown link", re.compile(r"\[[^\]]*\]\([^)]*\)")),
    ("URL", re.compile(r"\b(?:https?|ftps?|file)://\S+|\bwww\.[\w-]+\.\w+\S*", _I)),
    ("script URL", re.compile(r"\b(?:javascript|vbscript):(?=\S)|\bdata:[\w/+.-]+;base64,", _I)),
    ("HTML", re.compile(r"</?[a-zA-Z][^<>]*>|<!--")),
)
_ACCOMMODATION_RE = re.compile(r"\baccommodat\w*|\badjustments?\b", _I)
_SALUTATION_RE = re.compile(r"(?:hi|hello|dear|hey)\b[^\n]{0,80}", _I)
_CLOSING_RE = re.compile(
    r"(?:best|best regards|kind regards|regards|thanks|thank you|many thanks|sincerely|cheers)"
    r"[,!.]?",
    _I,
)
_CAPITALISED_RE = re.compile(r"\b[A-Z][\w'-]*")


def _without_names(body: str) -> str:
    """The body with capitalised words blanked in its salutation and signature lines.

    Those lines hold people's names, which can collide with the term list (Ms Young, Mr White);
    lower-case wording there ("Hi young talent") is still checked.
    """
    lines = body.splitlines()

    def blank(i: int) -> None:
        lines[i] = _CAPITALISED_RE.sub(lambda m: " " * len(m.group(0)), lines[i])

    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _SALUTATION_RE.fullmatch(lines[first].strip()):
        blank(first)
    closing = next(
        (i for i in range(len(lines) - 1, -1, -1) if _CLOSING_RE.fullmatch(lines[i].strip())), None
    )
    if closing is not None:
        for i in range(closing + 1, len(lines)):
            blank(i)
    return "\n".join(lines)


def _aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None


def _slot_findings(slots: list[InterviewSlot]) -> list[Finding]:
    findings: list[Finding] = []
    valid: list[tuple[int, InterviewSlot]] = []
    for i, slot in enumerate(slots):
        where = f"slots[{i}]"
        if not (_aware(slot.start) and _aware(slot.end)):
            findings.append(
                Finding(
                    rule="OUT-3",
                    severity="hard",
                    message="Slot times must be timezone-aware (UTC); a naive time is ambiguous.",
                    where=where,
                )
            )
        elif slot.end <= slot.start:
            findings.append(
                Finding(
                    rule="OUT-3",
                    severity="hard",
                    message="The slot ends before or when it starts.",
                    where=where,
                )
            )
        else:
            valid.append((i, slot))
    for a, (i, first) in enumerate(valid):
        for j, second in valid[a + 1 :]:
            shared = sorted(set(first.interviewers) & set(second.interviewers))
            if shared and first.start < second.end and second.start < first.end:
                findings.append(
                    Finding(
                        rule="OUT-3",
                        severity="hard",
                        message=(
                            f"slots[{i}] and slots[{j}] overlap and share interviewer(s) "
                            f"{', '.join(shared)}."
                        ),
                        where=f"slots[{j}]",
                    )
                )
    return findings


def _invite_findings(plan: OutreachPlan) -> list[Finding]:
    findings: list[Finding] = []
    for i, slot in enumerate(plan.slots):
        if not _aware(slot.start):
            continue  # already an OUT-3 finding; no UTC time to look for
        invites = [inv.ics for inv in plan.invites if inv.candidate_id == slot.candidate_id]
        dtstart = "DTSTART:" + slot.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        if not invites:
            message = f"No calendar invite for the slot of candidate {slot.candidate_id!r}."
        # Parsed, not searched: the invite's DTSTART may be in any zone (TZID), and text that
        # merely looks like a DTSTART inside a SUMMARY must not count.
        elif not any(invite_covers(ics, slot.start) for ics in invites):
            message = f"No invite of candidate {slot.candidate_id!r} has {dtstart}."
        else:
            continue
        findings.append(
            Finding(rule="OUT-5", severity="hard", message=message, where=f"slots[{i}]")
        )
    return findings


def review_outreach(plan: OutreachPlan, resumes: Mapping[str, str] | None = None) -> list[Finding]:
    """OUT-1 active content, OUT-2 protected wording, OUT-3 bad slots, OUT-4 no accommodation
    sentence (soft), OUT-5 slots without a matching invite, and, given the candidates'
    resumes, OUT-7 claims about a candidate their resume does not support."""
    findings: list[Finding] = []
    for i, message in enumerate(plan.messages):
        where = f"messages[{i}]"
        if resumes is not None:
            findings += _ungrounded_claims(message, resumes.get(message.candidate_id), where)
        text = f"{message.subject}\n{message.body}"
        for kind, pattern in _ACTIVE_CONTENT:
            findings.extend(
                Finding(
                    rule="OUT-1",
                    severity="hard",
                    message=f"The message contains a {kind}, which can leak data when rendered.",
                    where=where,
                    span=match.group(0)[:200],
                    suggestion="Use plain text only; no links, images or markup.",
                )
                for match in pattern.finditer(text)
            )
        findings += _term_findings(
            f"{message.subject}\n{_without_names(message.body)}",
            rule="OUT-2",
            subject="The message",
            where=where,
            suggestion="Mention job-related qualifications only.",
        )
        if not _ACCOMMODATION_RE.search(message.body):
            findings.append(
                Finding(
                    rule="OUT-4",
                    severity="soft",
                    message="The message does not offer accommodations for the process.",
                    where=where,
                    suggestion=(
                        "Add that the candidate can ask for accommodations or an alternative "
                        "to automated screening."
                    ),
                )
            )
    if not plan.messages:
        findings.append(
            Finding(
                rule="OUT-6",
                severity="soft",
                message="The plan contacts nobody: there is nothing to send.",
                suggestion="Confirm a shortlist with at least one candidate, then plan again.",
            )
        )
    findings += _slot_findings(plan.slots)
    findings += _invite_findings(plan)
    return findings


def _ungrounded_claims(message: OutreachMessage, resume: str | None, where: str) -> list[Finding]:
    """OUT-7: skills a message credits the candidate with that their resume never names (the
    subject names the role, not the person, so only the body counts)."""
    if resume is None:
        return [
            Finding(
                rule="OUT-7",
                severity="hard",
                message=f"The message goes to {message.candidate_id!r}, who is not in the pool: "
                "nothing it says about them can be checked.",
                where=where,
            )
        ]
    # Claims about the candidate are the sentences that speak to them ("your background...,
    # especially Kubernetes"); the role's own name (the subject) claims nothing about them.
    about_them = " ".join(
        sentence
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", message.body)
        if _SECOND_PERSON.search(sentence)
    )
    claimed = set(find_skills(about_them)) - set(find_skills(message.subject))
    known = set(find_skills(resume))
    return [
        Finding(
            rule="OUT-7",
            severity="hard",
            message=f"The message credits the candidate with {skill!r}, which their resume "
            "never mentions: every claim about a candidate must be grounded in their resume.",
            where=where,
            span=skill,
            suggestion="Mention only what the resume shows.",
        )
        for skill in sorted(claimed - known)
    ]


_SECOND_PERSON = re.compile(r"\b(?:you|your|you've|you're)\b", re.IGNORECASE)


def _text_leaves(value: object, path: str) -> Iterable[tuple[str, str]]:
    """Every string of a JSON-like value with its path ("questions[0].question")."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _text_leaves(item, f"{path}[{i}]")


# Topics an interviewer must not ask a candidate about (the classic unlawful interview
# questions): checked only in texts that ask something, since the same words are fine in an
# equal-opportunity statement ("without regard to ... disability").
_PERSONAL_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (topic, re.compile(pattern, re.IGNORECASE))
    for topic, pattern in (
        (
            "children or family plans",
            r"\b(?:children|kids|childcare|child care|pregnan\w*|"
            r"family plans?|start(?:ing)? a family|plan(?:ning)? to have (?:a )?(?:family|baby))\b",
        ),
        ("marital status", r"\b(?:married|spouse|husband|wife|maiden name)\b"),
        ("age", r"\b(?:how old|your age|year (?:were you|you were) born|date of birth)\b"),
        (
            "national origin",
            r"\b(?:where were you born|birthplace|native language|"
            r"mother tongue)\b",
        ),
        (
            "disability or health",
            r"\b(?:disabilit\w*|medical conditions?|health "
            r"(?:conditions?|problems?|issues?)|sick days?)\b",
        ),
        ("religion", r"\b(?:religio\w*|church|mosque|synagogue|temple)\b"),
        ("arrests", r"\barrest(?:s|ed)?\b"),
    )
)


def _personal_questions(text: str, *, stage: str, where: str) -> list[Finding]:
    """CUS-2: a question (a text with '?') that asks about a protected topic."""
    if "?" not in text:
        return []
    return [
        Finding(
            rule="CUS-2",
            severity="hard",
            message=(
                f"The {stage} output asks about {topic} ({match.group(0)!r}): an interview "
                "must not ask about it, whatever the answer would be used for."
            ),
            where=where,
            span=match.group(0),
            suggestion="ask only about the job's requirements and how the candidate meets them",
        )
        for topic, pattern in _PERSONAL_TOPICS
        if (match := pattern.search(text))
    ]


def review_custom_output(stage: str, artifact: BaseModel) -> Review:
    """The deterministic review of a custom stage's output (a model hirecrew does not know),
    in every text it holds, wherever it is nested: CUS-1, protected-attribute or proxy
    wording; CUS-2, a question about a topic an interview must not ask about."""
    leaves = list(_text_leaves(artifact.model_dump(mode="json"), ""))
    findings = _dedupe(
        [
            finding
            for where, text in leaves
            for finding in _term_findings(
                text,
                rule="CUS-1",
                subject=f"The {stage} output",
                where=where,
                suggestion="ask and write only about the job's requirements",
            )
        ]
        + [
            finding
            for where, text in leaves
            for finding in _personal_questions(text, stage=stage, where=where)
        ]
    )
    return Review(verdict=verdict_for(findings), findings=findings, summary=_summary(findings))


def _summary(findings: list[Finding]) -> str:
    if not findings:
        return "No findings"
    hard = sum(1 for f in findings if f.severity == "hard")
    return f"{hard} hard, {len(findings) - hard} soft finding(s)"


_ArtifactT = TypeVar("_ArtifactT", bound=BaseModel)


def _expect(artifact: BaseModel, kind: type[_ArtifactT], stage: str) -> _ArtifactT:
    if not isinstance(artifact, kind):
        raise InvalidArtifactError(
            f"Stage {stage!r} reviews a {kind.__name__}, got {type(artifact).__name__}."
        )
    return artifact


def run_checks(
    stage: str,
    artifact: BaseModel,
    *,
    resumes: Mapping[str, str] | None = None,
    intake_notes: str | None = None,
) -> Review:
    """The deterministic review of one stage output: "intake", "sourcing", "screening", "outreach".

    ``resumes`` (candidate id -> resume text) is required for "screening", to ground evidence;
    given for "outreach", what the messages say about candidates is grounded too (OUT-7).
    ``intake_notes``, given for "intake", grounds the job description's facts (JD-4).
    Raises ``DomainError`` for an unknown stage and ``InvalidArtifactError`` for the wrong type.
    """
    checks: dict[str, Callable[[], list[Finding]]] = {
        "intake": lambda: review_job_description(
            _expect(artifact, JobDescription, stage), intake_notes
        ),
        "sourcing": lambda: review_sourcing(_expect(artifact, SourcingReport, stage)),
        "screening": lambda: review_shortlist(
            _expect(artifact, Shortlist, stage), _require_resumes(resumes)
        ),
        "outreach": lambda: review_outreach(_expect(artifact, OutreachPlan, stage), resumes),
    }
    if stage not in checks:
        raise DomainError(f"Unknown stage {stage!r}: expected one of {', '.join(checks)}.")
    findings = checks[stage]()
    return Review(verdict=verdict_for(findings), findings=findings, summary=_summary(findings))


def _require_resumes(resumes: Mapping[str, str] | None) -> Mapping[str, str]:
    if resumes is None:
        raise DomainError("Reviewing a shortlist needs the resumes, to check the evidence quotes.")
    return resumes
