"""The worked example custom crew (examples/reference_check): its plugin and configuration."""

from __future__ import annotations

import json
from pathlib import Path

from config import DEFAULT_CONFIG_DIR

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "reference_check"
FILES = ("agents.yaml", "tasks.yaml", "crews.yaml")

REFERENCE_NOTES = """\
Referee: Dana Smith, engineering manager at Acme (2019-2023)
Strengths: owns incidents end to end; mentors junior engineers
Concerns: slow to delegate at first
Would rehire: yes

Referee: Luis Ortega, peer on the platform team
Strengths: mentors junior engineers; clear written design documents
Would rehire: yes
"""


def example_config(directory: Path, *, replace: dict[str, tuple[str, str]] | None = None) -> Path:
    """The bundled configuration plus the example's YAML fragments, as the guide builds it
    (``replace``: one textual replacement per file, applied after)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = (DEFAULT_CONFIG_DIR / name).read_text(encoding="utf-8")
        text += (EXAMPLE / "config" / name).read_text(encoding="utf-8")
        if replace and name in replace:
            old, new = replace[name]
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def references_step(stage: str = "references", *, crew: str = "reference_check") -> str:
    """A pipeline entry making the example crew a stage (its inputs given by ``with:``)."""
    notes = json.dumps(REFERENCE_NOTES)
    return (
        f"  - stage: {stage}\n"
        f"    crew: {crew}\n"
        "    gate: Read what the referees said before anyone is contacted.\n"
        "    with:\n"
        "      candidate_name: Priya Raman\n"
        f"      reference_notes: {notes}\n"
    )


def pipeline_config(directory: Path, *entries: str) -> Path:
    """The example configuration with a ``pipeline:`` of these entries (a built-in stage's
    name, or a YAML block such as ``references_step()``)."""
    example_config(directory)
    lines = [entry if entry.startswith("  - ") else f"  - {entry}\n" for entry in entries]
    crews = directory / "crews.yaml"
    crews.write_text(crews.read_text(encoding="utf-8") + "\npipeline:\n" + "".join(lines))
    return directory
