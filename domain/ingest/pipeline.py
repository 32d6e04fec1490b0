"""From files to candidates: dispatch by format, enforce limits, build the profile.

Every file yields outcomes, never exceptions: a refused file is reported with a reason a
recruiter can act on, and the rest of a batch goes on.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from pydantic import BaseModel, Field

from domain.entities import Candidate
from domain.ingest.exports import Row, read_export
from domain.ingest.hidden import clip, hidden_flag, strip_invisible, tidy_text
from domain.ingest.injection import injection_flag, strip_injections
from domain.ingest.limits import (
    Extracted,
    IngestLimits,
    Refused,
    count_letters,
    human_size,
)
from domain.ingest.pdf import read_pdf
from domain.ingest.profile import parse_profile
from domain.ingest.text import read_text
from domain.ingest.word import read_docx
from domain.skills import canonical_skill

__all__ = [
    "SUPPORTED_SUFFIXES",
    "IngestOutcome",
    "candidate_id",
    "ingest_file",
    "ingest_paths",
    "ingest_text",
]

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".text", ".md", ".markdown", ".json", ".csv")
_EXPORTS = {".json": "json", ".csv": "csv"}
_DEFAULT_LIMITS = IngestLimits()
_SKILL_SPLIT = re.compile(r"\s*[,;|\n]\s*")
# A cell starting with one of these is a spreadsheet formula (CSV injection), not a skill.
_FORMULA_START = ("=", "+", "-", "@")
MAX_YEARS = 70


class IngestOutcome(BaseModel):
    """One file (or one export row): the candidate made from it, or why it was refused."""

    source: str = Field(description="the path as given")
    candidate: Candidate | None = None
    refused: str | None = Field(default=None, description="why no candidate was made")
    flags: list[str] = Field(default_factory=list)


def candidate_id(text: str) -> str:
    """The id of a resume: ``cand-`` and 12 hex of the SHA-256 of its normalised text.

    Case and layout are ignored, so re-importing the same resume gives the same id.
    """
    normalised = " ".join(text.lower().split())
    return "cand-" + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:12]


def _clean_field(value: str | list[str] | None, flags: list[str]) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else ", ".join(value)
    cleaned, found = strip_invisible(text)
    flags.extend(flag for flag in found if flag not in flags)
    return " ".join(cleaned.split())


def _is_skill(text: str) -> bool:
    """Not formula text (``=cmd|...``, ``+1``, ``@SUM``) and at least one letter."""
    return not text.startswith(_FORMULA_START) and any(ch.isalpha() for ch in text)


def _given_skills(raw: str | list[str], flags: list[str]) -> list[str]:
    """An export's skills cell as canonical skills; formula text and non-words are dropped."""
    dropped: list[str] = []
    if isinstance(raw, str):
        if raw.strip().startswith(_FORMULA_START):
            # A formula cell as a whole: its pieces ("/C calc!A0") are not skills either.
            dropped.append(raw.strip())
            items: list[str] = []
        else:
            items = _SKILL_SPLIT.split(raw)
    else:
        items = raw
    skills: list[str] = []
    for item in items:
        skill = _clean_field(item, flags)
        if not skill:
            continue
        if not _is_skill(skill):
            dropped.append(skill)
            continue
        skills.append(canonical_skill(skill) or skill.lower())
    if dropped:
        flags.append(f"skills ignored (formula or no letters): '{clip(', '.join(dropped))}'")
    return skills


def ingest_text(
    text: str,
    *,
    source: str,
    limits: IngestLimits = _DEFAULT_LIMITS,
    found: Extracted | None = None,
    fields: Row | None = None,
) -> IngestOutcome:
    """Turn extracted visible text (and, for exports, row fields) into a candidate.

    Args:
        text: the visible text a reader saw.
        source: where it came from, reported as given.
        limits: the minimum amount of text is checked here.
        found: the reader's findings: hidden text to flag, image-only pages.
        fields: an export row's own fields (name, email, skills...), which take precedence.

    Returns:
        An outcome with a candidate, or refused when there is too little visible text.
    """
    found = found or Extracted(text=text)
    fields = fields or {}
    flags: list[str] = []
    for kind, texts in found.hidden.items():
        hidden, _ = strip_invisible(" ".join(texts))
        if hidden.strip():
            flags.append(hidden_flag(kind, hidden))
    flags.extend(found.flags)
    visible, invisible_flags = strip_invisible(text)
    flags.extend(invisible_flags)
    visible, injected = strip_injections(tidy_text(visible))
    visible = tidy_text(visible)

    name = _clean_field(fields.get("name"), flags)
    email = _clean_field(fields.get("email"), flags) or None
    location = _clean_field(fields.get("location"), flags) or None
    headline = _clean_field(fields.get("headline") or fields.get("title"), flags)
    raw_skills = fields.get("skills")
    given_skills: list[str] = []
    if raw_skills:
        given_skills = _given_skills(raw_skills, flags)
    if not visible and fields:
        # An export row without resume text: its profile fields are the searchable text.
        parts = [headline, location or "", "Skills: " + ", ".join(given_skills)]
        visible = "\n".join(part for part in parts if part and part != "Skills: ")
        visible, more = strip_injections(visible)
        injected.extend(more)
    if injected:
        flags.append(injection_flag(injected))

    letters = count_letters(visible)
    if letters < limits.min_letters:
        hidden_letters = sum(count_letters(" ".join(t)) for t in found.hidden.values())
        if found.image_pages:
            reason = (
                f"no text layer: {found.image_pages} page(s) with images only (a scan?); "
                "OCR is not supported"
            )
        elif hidden_letters >= limits.min_letters:
            kinds = ", ".join(found.hidden)
            reason = f"no visible text: only {hidden_letters} hidden letters ({kinds})"
        else:
            reason = f"no resume text: {letters} letters, at least {limits.min_letters} needed"
        return IngestOutcome(source=source, refused=reason, flags=flags)

    profile = parse_profile(visible)
    years = profile.years_experience
    raw_years = fields.get("years_experience") or fields.get("years")
    if isinstance(raw_years, str) and raw_years.strip():
        try:
            value = float(raw_years)
            if not 0 <= value <= MAX_YEARS:
                raise ValueError(raw_years)
            years = int(value)
        except ValueError:
            flags.append(f"years_experience '{raw_years[:20]}' ignored: not a number of years")
    skills = list(dict.fromkeys([*given_skills, *profile.skills]))
    candidate = Candidate(
        id=candidate_id(visible),
        name=name or profile.name or "",
        email=email or (profile.emails[0] if profile.emails else None),
        location=location or (profile.locations[0] if profile.locations else None),
        headline=headline or profile.headline,
        years_experience=years,
        skills=skills,
        resume_text=visible,
        source=source,
        flags=flags,
    )
    return IngestOutcome(source=source, candidate=candidate, flags=flags)


def _refused(source: str, reason: str) -> list[IngestOutcome]:
    return [IngestOutcome(source=source, refused=reason)]


def ingest_file(path: Path, *, limits: IngestLimits = _DEFAULT_LIMITS) -> list[IngestOutcome]:
    """Read one resume or export file into candidates, or refuse it with a reason.

    Args:
        path: a .pdf, .docx, .txt/.md, .json or .csv file.
        limits: size, page, archive and minimum-text limits.

    Returns:
        One outcome for a resume; one per row for an export (one refusal if the file fails).
    """
    source = str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return _refused(source, "no such file" if not path.exists() else "not a regular file")
    if suffix not in SUPPORTED_SUFFIXES:
        what = f"'{suffix}'" if suffix else "(no extension)"
        return _refused(
            source, f"unsupported file type {what}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return _refused(
                source, f"{human_size(size)}, the limit is {human_size(limits.max_bytes)}"
            )
        if size == 0:
            return _refused(source, "empty file (0 bytes)")
        data = path.read_bytes()
    except OSError as exc:
        return _refused(source, f"cannot read the file: {exc.strerror or exc}")
    # Checked again on the bytes: the file may have grown since stat().
    if len(data) > limits.max_bytes:
        return _refused(
            source, f"{human_size(len(data))}, the limit is {human_size(limits.max_bytes)}"
        )
    try:
        if suffix in _EXPORTS:
            outcomes: list[IngestOutcome] = []
            rows = read_export(data, fmt=_EXPORTS[suffix], limits=limits)
            for number, row in enumerate(rows, start=1):
                if isinstance(row, str):
                    outcomes.append(IngestOutcome(source=source, refused=f"row {number}: {row}"))
                    continue
                text = row.get("resume_text") or row.get("text") or row.get("resume") or ""
                outcome = ingest_text(
                    text if isinstance(text, str) else "\n".join(text),
                    source=source,
                    limits=limits,
                    fields=row,
                )
                if outcome.refused:
                    outcome.refused = f"row {number}: {outcome.refused}"
                outcomes.append(outcome)
            return outcomes or _refused(
                source, f"empty export: no rows in the {suffix[1:].upper()}"
            )
        if suffix == ".pdf":
            found = read_pdf(data, limits)
        elif suffix == ".docx":
            found = read_docx(data, limits)
        else:
            found = read_text(data, markdown=suffix in (".md", ".markdown"))
    except Refused as exc:
        return _refused(source, str(exc))
    return [ingest_text(found.text, source=source, limits=limits, found=found)]


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files in the order given; a folder's files recursively, sorted, dotfiles skipped."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield Path(root) / name


def ingest_paths(
    paths: Iterable[Path], *, limits: IngestLimits = _DEFAULT_LIMITS, workers: int = 1
) -> Iterator[IngestOutcome]:
    """Ingest files and folders (recursively), in a deterministic order.

    Args:
        paths: files or folders; a path that does not exist is reported as refused.
        limits: applied to every file.
        workers: processes to read files in parallel; outcomes keep the input order.

    Yields:
        Outcomes, one per resume file or export row.
    """
    files = list(_expand(paths))
    read = partial(ingest_file, limits=limits)
    if workers <= 1 or len(files) < 2:
        for path in files:
            yield from read(path)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for outcomes in pool.map(read, files, chunksize=8):
            yield from outcomes
