"""Plain text and Markdown resumes."""

from __future__ import annotations

import re

from domain.ingest.limits import Extracted, Refused, describe_bytes

# An HTML comment in Markdown is not rendered: a reader never sees it, a model would.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    Raises:
        Refused: the bytes are binary (NUL bytes) or another format.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Refused(f"corrupt text: invalid UTF-16 ({exc.reason})") from exc
    if b"\x00" in data[:8192] or data.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise Refused(f"not a text file: {describe_bytes(data)}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Legacy exports are mostly Windows-1252; decoding never fails, odd bytes stay visible.
        return data.decode("cp1252", errors="replace")


def read_text(data: bytes, *, markdown: bool) -> Extracted:
    """The text of a .txt or .md file; Markdown HTML comments are hidden content."""
    text = decode_text(data)
    found = Extracted(text="")
    if markdown:
        for comment in _HTML_COMMENT.findall(text):
            found.hide("HTML comment", comment.removeprefix("<!--").removesuffix("-->"))
        text = _HTML_COMMENT.sub("", text)
    found.text = text
    return found
