"""Reading a guide in docs/ the way a newcomer follows it: its fenced blocks, in order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, the file it shows (``title="..."``), whether it is
    appended to that file, and its text."""

    language: str
    title: str | None
    append: bool
    body: str


def guide_blocks(guide: Path) -> list[Block]:
    """Every fenced block of a Markdown guide, in order."""
    blocks = []
    for match in _BLOCK.finditer(guide.read_text(encoding="utf-8")):
        info = match.group("info").strip()
        title = re.search(r'title="([^"]+)"', info)
        blocks.append(
            Block(
                language=info.split(" ", 1)[0],
                title=title.group(1) if title else None,
                append=bool(re.search(r"\bappend\b", info)),
                body=match.group("body"),
            )
        )
    return blocks
