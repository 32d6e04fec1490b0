"""DOCX reading with python-docx, after the archive passed the zip-bomb checks.

A run is hidden when Word would not show it on a white page: ``w:vanish`` (directly or through
its character or paragraph style), a white or near-white colour with no dark shading behind
it, or a size under the minimum. Deleted tracked changes (``w:delText``) are never read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn

from domain.ingest.limits import Extracted, IngestLimits, Refused, describe_bytes, human_size

WHITE_LUMINANCE = 0.92
DARK_SHADING = 0.6
_FALSE = {"0", "false", "off", "none"}
_RUNS = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r"
)
_WHITE_THEME = {"background1", "light1", "bg1"}
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

Element = Any  # lxml elements from python-docx are untyped


def check_zip(data: bytes, limits: IngestLimits) -> None:
    """Refuse an archive that is not a ZIP, is damaged, or would expand far beyond its size.

    Uses only the sizes the central directory declares; nothing is decompressed. Python's
    zipfile never inflates a member past its declared size, so the declared sizes bound memory.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise Refused(f"not a DOCX: {describe_bytes(data)}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Refused(f"corrupt DOCX: {exc} (truncated or damaged)") from exc
    if len(members) > limits.max_zip_members:
        raise Refused(f"{len(members)} files in the archive, the limit is {limits.max_zip_members}")
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise Refused(
            f"zip bomb suspected: it would expand to {human_size(total)}, "
            f"the limit is {human_size(limits.max_unzipped_bytes)}"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        # Small XML parts compress well legitimately; only a large expansion is a bomb.
        if ratio > limits.max_compression_ratio and member.file_size > 1024 * 1024:
            raise Refused(
                f"zip bomb suspected: {member.filename} expands {ratio:.0f}x "
                f"to {human_size(member.file_size)}, the limit is "
                f"{limits.max_compression_ratio:g}x"
            )
    if "word/document.xml" not in {member.filename for member in members}:
        raise Refused("not a Word document: the archive has no word/document.xml")


def _toggle(rpr: Element | None, tag: str) -> bool | None:
    if rpr is None:
        return None
    node = rpr.find(qn(tag))
    if node is None:
        return None
    return node.get(qn("w:val"), "true").lower() not in _FALSE


def _hex_luminance(value: str | None) -> float | None:
    if not value or len(value) != 6:
        return None
    try:
        r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _props(rpr: Element | None) -> dict[str, Any]:
    """The run properties that decide visibility, None where this level does not say."""
    props: dict[str, Any] = {"vanish": _toggle(rpr, "w:vanish"), "white": None, "size": None}
    if rpr is None:
        return props
    color = rpr.find(qn("w:color"))
    if color is not None:
        theme = (color.get(qn("w:themeColor")) or "").lower()
        lum = _hex_luminance(color.get(qn("w:val")))
        if theme in _WHITE_THEME or (lum is not None and lum >= WHITE_LUMINANCE):
            props["white"] = True
        elif theme or lum is not None:
            props["white"] = False
    size = rpr.find(qn("w:sz"))
    if size is not None:
        try:
            props["size"] = int(size.get(qn("w:val"), "")) / 2  # half-points
        except ValueError:
            pass
    return props


class _Styles:
    """Style inheritance (``w:basedOn``) resolved once per style id."""

    def __init__(self, document: Any) -> None:
        self._by_id: dict[str, Element] = {}
        self._cache: dict[str | None, dict[str, Any]] = {}
        self.default_paragraph: str | None = None
        self.defaults: dict[str, Any] = _props(None)
        try:
            root = document.styles.element
        except Exception:  # a document without a styles part: Word's defaults apply
            return
        for style in root.iter(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            if style_id:
                self._by_id[style_id] = style
                if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in (
                    "1",
                    "true",
                ):
                    self.default_paragraph = style_id
        default_rpr = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self.defaults = _props(default_rpr)

    def props(self, style_id: str | None) -> dict[str, Any]:
        """Effective visibility properties a style gives, following ``basedOn``."""
        if style_id in self._cache:
            return self._cache[style_id]
        first = style_id
        merged: dict[str, Any] = {"vanish": None, "white": None, "size": None}
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._by_id:
            seen.add(style_id)
            style = self._by_id[style_id]
            for key, value in _props(style.find(qn("w:rPr"))).items():
                if merged[key] is None:
                    merged[key] = value
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        self._cache[first] = merged
        return merged


def _style_id(props_parent: Element | None, tag: str) -> str | None:
    if props_parent is None:
        return None
    node = props_parent.find(qn(tag))
    return None if node is None else node.get(qn("w:val"))


def _dark_shading(element: Element | None) -> bool:
    """Whether a run, paragraph or cell has a dark fill or highlight behind its text."""
    if element is None:
        return False
    shd = element.find(qn("w:shd"))
    if shd is not None:
        lum = _hex_luminance(shd.get(qn("w:fill")))
        if lum is not None and lum < DARK_SHADING:
            return True
    highlight = element.find(qn("w:highlight"))
    return highlight is not None and highlight.get(qn("w:val"), "none") not in ("none", "white")


def _run_text(run: Element) -> str:
    parts: list[str] = []
    for child in run:
        if child.tag == qn("w:t"):
            parts.append(child.text or "")
        elif child.tag == qn("w:tab"):
            parts.append("\t")
        elif child.tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
        elif child.tag == qn("w:noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def _paragraphs(root: Element) -> Iterator[Element]:
    for paragraph in root.iter(qn("w:p")):
        # Text boxes come twice (mc:Choice and mc:Fallback); read the first only.
        if any(ancestor.tag == _FALLBACK for ancestor in paragraph.iterancestors()):
            continue
        yield paragraph


def _read_part(root: Element, styles: _Styles, limits: IngestLimits, found: Extracted) -> str:
    tiny = f"tiny text (< {limits.min_font_pt:g} pt)"
    lines: list[str] = []
    for paragraph in _paragraphs(root):
        ppr = paragraph.find(qn("w:pPr"))
        para_style = styles.props(_style_id(ppr, "w:pStyle") or styles.default_paragraph)
        visible: list[str] = []
        hidden: dict[str, list[str]] = {}
        for run in paragraph.xpath(_RUNS):
            text = _run_text(run)
            if not text:
                continue
            rpr = run.find(qn("w:rPr"))
            layers = (_props(rpr), styles.props(_style_id(rpr, "w:rStyle")), para_style)
            effective = {
                key: next(
                    (layer[key] for layer in layers if layer[key] is not None),
                    styles.defaults[key],
                )
                for key in ("vanish", "white", "size")
            }
            kind: str | None = None
            if effective["vanish"]:
                kind = "hidden (vanish) text"
            elif effective["white"] and not _shaded(run, rpr, ppr):
                kind = "white text"
            elif effective["size"] is not None and effective["size"] < limits.min_font_pt:
                kind = tiny
            if kind is None:
                visible.append(text)
            else:
                hidden.setdefault(kind, []).append(text)
        for kind, texts in hidden.items():
            found.hide(kind, "".join(texts))
        lines.append("".join(visible))
    return "\n".join(lines)


def _shaded(run: Element, rpr: Element | None, ppr: Element | None) -> bool:
    if _dark_shading(rpr) or _dark_shading(ppr):
        return True
    for ancestor in run.iterancestors(qn("w:tc")):
        if _dark_shading(ancestor.find(qn("w:tcPr"))):
            return True
    return False


def read_docx(data: bytes, limits: IngestLimits) -> Extracted:
    """Extract the visible text of a DOCX (headers, body, footers) and set hidden runs apart.

    Raises:
        Refused: not a ZIP, damaged, a zip bomb, or not a Word document.
    """
    check_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors when damaged
        raise Refused(f"corrupt DOCX: {str(exc)[:120] or type(exc).__name__}") from exc
    found = Extracted(text="")
    styles = _Styles(document)
    try:
        parts: list[str] = []
        seen: set[str] = set()
        related = [
            rel.target_part
            for rel in document.part.rels.values()
            if not rel.is_external and rel.reltype.endswith(("/header", "/footer"))
        ]
        headers = [p for p in related if "header" in str(p.partname)]
        footers = [p for p in related if "footer" in str(p.partname)]
        for part in (*headers, document.part, *footers):
            text = _read_part(part.element, styles, limits, found)
            # The same header often repeats for every section: keep it once.
            if text.strip() and text not in seen:
                seen.add(text)
                parts.append(text)
    except Exception as exc:
        raise Refused(f"corrupt DOCX: {str(exc)[:120] or type(exc).__name__}") from exc
    found.text = "\n".join(parts)
    return found
