"""The second worked example (examples/interview_kit): a custom crew that is a stage of the
hiring flow. Its plugin, a job description and a shortlist as the flow gives them, and the
configuration the guide (docs/new-stage.md) builds."""

from __future__ import annotations

from pathlib import Path

from config import DEFAULT_CONFIG_DIR
from domain.artifacts import JobDescription, Requirement

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "interview_kit"
FILES = ("agents.yaml", "tasks.yaml", "crews.yaml")
TOOL = "interview_kit.tools:DraftInterviewKitTool"

JOB = JobDescription(
    title="Senior Backend Engineer",
    summary="Build and run the payments platform.",
    must_haves=[
        Requirement(text="5+ years of professional Python development", kind="must_have"),
        Requirement(text="PostgreSQL in production", kind="must_have"),
        Requirement(text="Kubernetes", kind="must_have"),
    ],
    nice_to_haves=[
        Requirement(text="Go", kind="nice_to_have"),
        Requirement(text="Experience in payments or fintech", kind="nice_to_have"),
    ],
    text="Senior Backend Engineer at Acme Payments: Python services for payments.",
)
# What the flow gives the crew: the confirmed job description as JSON, the shortlist as text.
JOB_DESCRIPTION = JOB.model_dump_json()
SHORTLIST = "#1 cand-1 score 0.82 (3/3 must-haves); #2 cand-7 score 0.5 (2/3 must-haves)"


def example_config(directory: Path) -> Path:
    """The bundled configuration plus the example's YAML fragments, as the guide builds it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = (DEFAULT_CONFIG_DIR / name).read_text(encoding="utf-8")
        text += (EXAMPLE / "config" / name).read_text(encoding="utf-8")
        (directory / name).write_text(text, encoding="utf-8")
    return directory
