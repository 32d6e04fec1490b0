"""The worked example custom crew (examples/reference_check): its plugin and configuration."""

from __future__ import annotations

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
