"""Revising a drafted job description with a review's findings."""

from __future__ import annotations

from domain.artifacts import Finding, JobDescription, Requirement
from domain.jd import render_job_description
from domain.language import apply_suggestions, lint_text


def revise_job_description(jd: JobDescription, findings: list[Finding]) -> JobDescription:
    """Apply every suggested rewrite to each text field, then re-render the published text.

    The linter runs again on each field so that findings reported for one field (or found by
    the reviewer in the rendered text) are fixed wherever the phrase occurs. Re-rendering
    restores any missing EEO, accommodation and AEDT statements.
    """

    def fix(text: str) -> str:
        local = lint_text(text)
        # Reviewer findings carry spans too; apply both so nothing the reviewer saw survives.
        spans = {f.span for f in local}
        extra = [f for f in findings if f.span and f.span not in spans and f.span in text]
        return apply_suggestions(text, [*local, *extra]).strip()

    def fix_req(req: Requirement) -> Requirement:
        return req.model_copy(update={"text": fix(req.text) or req.text})

    revised = jd.model_copy(
        update={
            "title": fix(jd.title) or jd.title,
            "summary": fix(jd.summary),
            "responsibilities": [r for r in (fix(r) for r in jd.responsibilities) if r],
            "must_haves": [fix_req(r) for r in jd.must_haves],
            "nice_to_haves": [fix_req(r) for r in jd.nice_to_haves],
        }
    )
    return revised.model_copy(update={"text": render_job_description(revised)})
