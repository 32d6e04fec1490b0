"""Reading a guide in docs/ the way a newcomer follows it: its fenced blocks, in order."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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


# Rebuildable caches a newcomer's machine would have too: the search index, the memory model.
_SHARED_CACHES = ("HIRECREW_CACHE_DIR", "HIRECREW_MODEL_CACHE")


def newcomer_env(data_dir: Path) -> dict[str, str]:
    """A newcomer's shell: this interpreter's bin on PATH, a fresh data directory, and none of
    the caller's hirecrew settings or import path (the search-index cache is shared)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if (not key.startswith("HIRECREW_") or key in _SHARED_CACHES) and key != "PYTHONPATH"
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HIRECREW_DATA_DIR"] = str(data_dir)
    return env


def follow(blocks: list[Block], work: Path, env: dict[str, str]) -> list[tuple[str, str]]:
    """Do what the guide says, in order, in ``work``: write (or append to) every file it shows,
    and run every ``$`` command of its console blocks (``export`` lines carry over to the
    commands after them). Each command must exit 0; returns (command, its stdout) in order."""
    exports: list[str] = []
    outputs: list[tuple[str, str]] = []
    for block in blocks:
        if block.language == "console":
            for line in block.body.splitlines():
                if not line.startswith("$ "):
                    continue
                command = line[2:]
                if command.startswith("export "):
                    exports.append(command)
                    continue
                script = "\n".join(["set -e", *exports, command])
                done = subprocess.run(
                    ["bash", "-c", script],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert done.returncode == 0, (command, done.stdout, done.stderr[-4000:])
                outputs.append((command, done.stdout))
        elif block.title and block.language in {"python", "yaml", "toml"}:
            target = work / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            if block.append:
                assert target.exists(), f"the guide appends to {block.title} before it exists"
                with target.open("a", encoding="utf-8") as handle:
                    handle.write(block.body)
            else:
                target.write_text(block.body, encoding="utf-8")
    return outputs
