"""The job-ad checker: every exclusionary phrase of a job ad, located, explained and with a
rewrite (``hirecrew check jd``, and the compliance reviewer's JD-1/JD-2 rules underneath).

It reports what :mod:`domain.language` finds, in the shape a recruiter (or a script) acts on:
each finding's exact span and offsets, its category (the protected ground it touches), whether
it blocks publication or warns, why, and a suggested rewrite. The gender-decoder balance is
reported word by word, and a match that only shares a prefix with a coded stem, as
"responsibilities" does with "respon" (responsive, responsible), is marked weak evidence with
the reason, rather than counted silently or dropped.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from domain.language import (
    REQUIRED_STATEMENTS,
    coded_words,
    gender_coding,
    located_findings,
    missing_statements,
)

__all__ = ["AdFinding", "CodedWordReport", "GenderBalance", "JobAdReport", "check_job_ad"]

# The protected ground (or obligation) each JD rule stands for.
CATEGORIES: dict[str, str] = {
    "JD-1.gender": "gender-coded wording",
    "JD-1.age": "age",
    "JD-1.disability": "disability",
    "JD-1.sex": "sex, pregnancy or family status",
    "JD-1.origin": "national origin or citizenship",
    "JD-1.religion": "religion",
    "JD-1.race": "race",
    "JD-1.record": "criminal record",
    "JD-1.culture": "culture fit",
    "JD-2": "required statement missing",
}

# Words that start with a coded stem but, in job ads, are mostly structure or technical nouns:
# the prefix match is weak evidence of coding. Each says which reading the stem was meant for.
WEAK_MATCHES: dict[str, str] = {
    "responsibilities": "a section heading in most ads; the stem 'respon' is for "
    "'responsive' and 'responsible'",
    "responsibility": "usually the duty itself; the stem 'respon' is for 'responsive'",
    "response": "usually a technical term (response time); the stem 'respon' is for 'responsive'",
    "responses": "usually a technical term; the stem 'respon' is for 'responsive'",
    "analyst": "a job title; the stem 'analy' is for 'analytical'",
    "analysts": "a job title; the stem 'analy' is for 'analytical'",
    "analytics": "a field of work; the stem 'analy' is for 'analytical'",
    "dependencies": "a technical term; the stem 'depend' is for 'dependable'",
    "dependency": "a technical term; the stem 'depend' is for 'dependable'",
    "connection": "often technical (database connection); the stem is for 'connected'",
    "connections": "often technical; the stem 'connect' is for 'connected'",
}

Coding = Literal["masculine", "feminine"]


class AdFinding(BaseModel):
    """One problem in the ad: ``text[start:end] == span``."""

    span: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    category: str
    severity: Literal["blocking", "warning"]
    why: str
    suggestion: str | None = Field(
        default=None, description="the rewrite of the span; '' means remove it"
    )
    rule: str
    weak: bool = Field(
        default=False, description="a prefix match that is weak evidence (see WEAK_MATCHES)"
    )


class CodedWordReport(BaseModel):
    """One gender-coded word, with whether it is weak evidence and why."""

    word: str
    start: int
    end: int
    stem: str
    coding: Coding
    weak: bool = False
    note: str | None = None


class GenderBalance(BaseModel):
    """The gender-decoder counts (Gaucher, Friesen & Kay 2011) and the resulting label."""

    masculine: int
    feminine: int
    weak: int = Field(description="of those, matches that are weak evidence (see the words)")
    balance: str = Field(description="the gender-decoder label, e.g. 'masculine-coded'")
    words: list[CodedWordReport]


class JobAdReport(BaseModel):
    """Everything the checker found in one ad."""

    findings: list[AdFinding]
    gender: GenderBalance
    blocking: int
    warnings: int


def check_job_ad(text: str, *, require_statements: bool = True) -> JobAdReport:
    """Check a job ad.

    Args:
        text: the ad as published (plain text or Markdown).
        require_statements: report each missing EEO / accommodation / AEDT statement as a
            blocking finding (located at the end of the ad, where it would be added).
    """
    findings: list[AdFinding] = []
    for start, finding in located_findings(text):
        span = finding.span or ""
        weak = WEAK_MATCHES.get(span.lower()) if finding.rule == "JD-1.gender" else None
        findings.append(
            AdFinding(
                span=span,
                start=start,
                end=start + len(span),
                category=CATEGORIES.get(finding.rule, finding.rule),
                severity="blocking" if finding.severity == "hard" else "warning",
                why=finding.message + (f" Weak evidence: {weak}." if weak else ""),
                suggestion=finding.suggestion,
                rule=finding.rule,
                weak=weak is not None,
            )
        )
    if require_statements:
        for finding in missing_statements(text):
            findings.append(
                AdFinding(
                    span="",
                    start=len(text),
                    end=len(text),
                    category=CATEGORIES["JD-2"],
                    severity="blocking",
                    why=finding.message,
                    suggestion=finding.suggestion,
                    rule=finding.rule,
                )
            )
    # The required statements are our boilerplate, identical in every ad: blanked (offsets
    # kept) so that their words say nothing about this ad's coding, as in the reviewer.
    analysed = text
    for statement in REQUIRED_STATEMENTS.values():
        analysed = analysed.replace(statement, " " * len(statement))
    words = [
        CodedWordReport(
            word=w.word,
            start=w.start,
            end=w.end,
            stem=w.stem,
            coding=w.coding,
            weak=w.word.lower() in WEAK_MATCHES,
            note=WEAK_MATCHES.get(w.word.lower()),
        )
        for w in coded_words(analysed)
    ]
    coding = gender_coding(analysed)
    balance = GenderBalance(
        masculine=len(coding.masculine_words),
        feminine=len(coding.feminine_words),
        weak=sum(1 for w in words if w.weak),
        balance=coding.label,
        words=words,
    )
    return JobAdReport(
        findings=findings,
        gender=balance,
        blocking=sum(1 for f in findings if f.severity == "blocking"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
    )
