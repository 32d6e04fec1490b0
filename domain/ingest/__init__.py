"""Resume ingestion: PDF, DOCX, text and candidate exports into pool candidates.

Files are read within limits (size, pages, zip expansion), refused with a reason when they
hold no usable text, and stripped of hidden content (white, tiny or off-page text, hidden
runs, zero-width and bidi characters), which is flagged on the candidate instead of searched.
"""

from __future__ import annotations

from domain.ingest.limits import IngestLimits
from domain.ingest.pipeline import (
    SUPPORTED_SUFFIXES,
    IngestOutcome,
    candidate_id,
    ingest_file,
    ingest_paths,
    ingest_text,
)
from domain.ingest.profile import DateRange, ResumeProfile, parse_profile

__all__ = [
    "SUPPORTED_SUFFIXES",
    "DateRange",
    "IngestLimits",
    "IngestOutcome",
    "ResumeProfile",
    "candidate_id",
    "ingest_file",
    "ingest_paths",
    "ingest_text",
    "parse_profile",
]
