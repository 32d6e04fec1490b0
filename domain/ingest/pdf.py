"""PDF reading with pdfplumber: visible text in reading order, hidden text set apart.

A character counts as hidden when it is drawn outside the page box, in white or near-white
(unless it sits on a dark filled shape or an image, as in a coloured header band), or smaller
than the minimum font size. Hidden characters are left out of the page before pdfplumber lays
the text out, so the visible text keeps its lines and order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.page import Page

from domain.ingest.limits import Extracted, IngestLimits, Refused, describe_bytes

WHITE_LUMINANCE = 0.92
DARK_BACKGROUND = 0.6
OFF_PAGE = "text outside the page"
WHITE = "white text"

Obj = dict[str, Any]


def _luminance(color: object) -> float | None:
    """Relative luminance (0 black .. 1 white) of a gray, RGB or CMYK colour; None if unknown."""
    if isinstance(color, int | float):
        values: tuple[float, ...] = (float(color),)
    elif (
        isinstance(color, tuple | list) and color and all(isinstance(v, int | float) for v in color)
    ):
        values = tuple(float(v) for v in color)
    else:
        return None  # a pattern or a colour space we cannot judge: not hidden by colour
    if len(values) == 1:
        return values[0]
    if len(values) == 3:
        r, g, b = values
    elif len(values) == 4:
        c, m, y, k = values
        r, g, b = (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    else:
        return None
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _inside(x: float, y: float, box: Obj) -> bool:
    return bool(box["x0"] <= x <= box["x1"] and box["top"] <= y <= box["bottom"])


class _PageClassifier:
    """Decides, char by char, whether a reader of the printed page would see it."""

    def __init__(self, page: Page, min_font_pt: float) -> None:
        self.page = page
        self.min_font_pt = min_font_pt
        self.tiny = f"tiny text (< {min_font_pt:g} pt)"
        self._backgrounds: list[Obj] | None = None

    def backgrounds(self) -> list[Obj]:
        """Dark filled shapes and images: white text on them is visible (computed lazily)."""
        if self._backgrounds is None:
            shapes = [
                obj
                for obj in (*self.page.rects, *self.page.curves)
                if obj.get("fill")
                and (lum := _luminance(obj.get("non_stroking_color"))) is not None
                and lum < DARK_BACKGROUND
            ]
            self._backgrounds = shapes + list(self.page.images)
        return self._backgrounds

    def kind(self, char: Obj) -> str | None:
        """Why a char is hidden, or None when it is visible."""
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        x0, top, x1, bottom = self.page.bbox
        if not (x0 - 1 <= x <= x1 + 1 and top - 1 <= y <= bottom + 1):
            return OFF_PAGE
        lum = _luminance(char.get("non_stroking_color"))
        if lum is not None and lum >= WHITE_LUMINANCE:
            if not any(_inside(x, y, box) for box in self.backgrounds()):
                return WHITE
        if char.get("size", 12.0) < self.min_font_pt and char["text"].strip():
            return self.tiny
        return None


def _join_chars(chars: Sequence[Obj]) -> str:
    """Hidden chars as text, in drawing order.

    pdfplumber's layout uses absolute tolerances (3 pt) that glue 1-pt words together, and
    off-page text has no meaningful layout; spaces and line breaks come from the gaps instead.
    """
    parts: list[str] = []
    previous: Obj | None = None
    for char in chars:
        if previous is not None:
            size = max(float(char.get("size", 1.0)), 0.1)
            if abs(char["top"] - previous["top"]) > size * 0.5:
                parts.append("\n")
            elif char["x0"] - previous["x1"] > size * 0.15 and not previous["text"].isspace():
                parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)


def _only(kinds: dict[int, str | None], wanted: str | None) -> Callable[[Obj], bool]:
    def keep(obj: Obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        return kinds.get(id(obj)) == wanted

    return keep


def _page_text(page: Page, limits: IngestLimits, found: Extracted) -> str:
    classifier = _PageClassifier(page, limits.min_font_pt)
    chars: Sequence[Obj] = page.chars
    kinds = {id(char): classifier.kind(char) for char in chars}
    for kind in sorted({k for k in kinds.values() if k is not None}):
        found.hide(kind, _join_chars([char for char in chars if kinds[id(char)] == kind]))
    visible = sum(1 for char in chars if kinds[id(char)] is None and char["text"].strip())
    if not visible and page.images:
        found.image_pages += 1
    if all(kind is None for kind in kinds.values()):
        return str(page.extract_text())
    return str(page.filter(_only(kinds, None)).extract_text())


def _corrupt(exc: BaseException) -> Refused:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(inner, PDFPasswordIncorrect):
        return Refused("encrypted PDF: it needs a password to open")
    detail = str(inner) or type(inner).__name__
    return Refused(f"corrupt PDF: {detail[:120]}")


def read_pdf(data: bytes, limits: IngestLimits) -> Extracted:
    """Extract the visible text of a PDF and set its hidden text apart.

    Raises:
        Refused: not a PDF, truncated, encrypted, corrupt, or over the page limit.
    """
    if b"%PDF-" not in data[:1024]:
        raise Refused(f"not a PDF: {describe_bytes(data)}")
    if b"%%EOF" not in data[-2048:]:
        raise Refused("corrupt PDF: no end-of-file marker (truncated or damaged)")
    found = Extracted(text="")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages > limits.max_pages:
                raise Refused(f"{pages} pages, the limit is {limits.max_pages}")
            texts: list[str] = []
            for page in pdf.pages:
                texts.append(_page_text(page, limits, found))
                page.close()  # drop the page's parsed objects: memory stays one page deep
    except Refused:
        raise
    except Exception as exc:  # pdfminer raises many types on hostile input; all mean "corrupt"
        raise _corrupt(exc) from exc
    found.text = "\n".join(texts)
    return found
