"""What ingestion accepts: size, page and archive limits, and the refusal they raise."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import DomainError

MB = 1024 * 1024


class IngestLimits(BaseModel):
    """Limits that keep a hostile or broken file from costing memory, time or a fake profile."""

    model_config = ConfigDict(frozen=True)

    max_bytes: int = Field(default=10 * MB, gt=0, description="largest file read at all")
    max_pages: int = Field(default=30, gt=0, description="most PDF pages")
    min_letters: int = Field(
        default=40, ge=1, description="fewer visible letters than this is no resume"
    )
    max_unzipped_bytes: int = Field(
        default=100 * MB, gt=0, description="total declared uncompressed size of a DOCX"
    )
    max_compression_ratio: float = Field(
        default=100.0, gt=1, description="largest uncompressed/compressed ratio of a DOCX member"
    )
    max_zip_members: int = Field(default=5000, gt=0)
    max_export_rows: int = Field(default=100_000, gt=0, description="most rows of a JSON/CSV")
    min_font_pt: float = Field(default=4.0, ge=0, description="smaller text counts as hidden")


class Refused(DomainError):
    """A file (or export row) that ingestion will not turn into a candidate; says why."""


def human_size(size: int) -> str:
    """A byte count for people: ``'10 MB'``, ``'512 KB'``, ``'12 bytes'``."""
    if size >= MB:
        return f"{size / MB:.1f}".rstrip("0").rstrip(".") + " MB"
    if size >= 1024:
        return f"{size / 1024:.1f}".rstrip("0").rstrip(".") + " KB"
    return f"{size} bytes"


def count_letters(text: str) -> int:
    """How many letters a text has (digits, punctuation and spaces do not make a resume)."""
    return sum(1 for ch in text if ch.isalpha())


@dataclass
class Extracted:
    """What a format reader found: the visible text, and the hidden text kept out of it."""

    text: str
    hidden: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    image_pages: int = 0

    def hide(self, kind: str, text: str) -> None:
        """Record text of one kind ("white text", "tiny text (< 4 pt)") that was kept out."""
        if text.strip():
            self.hidden.setdefault(kind, []).append(text)


def describe_bytes(data: bytes) -> str:
    """What a file's first bytes say it really is, for refusal messages."""
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return "it is a PDF"
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive (DOCX?)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is a legacy Office file (.doc)"
    if head[:4] in (b"\x89PNG", b"GIF8") or head.startswith(b"\xff\xd8\xff"):
        return "it is an image"
    sample = data[:4096]
    if b"\x00" not in sample:
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # a cut multi-byte char at the end is still text
                return "unknown binary content"
        return "it looks like plain text"
    return "unknown binary content"
