"""``hirecrew audit explain --candidate ID``: why a candidate was advanced or not, from the
audit trail alone (the CLI's JSONL trail, or the server's database with ``--database``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import DataDir, fail, settings_for

# The entries the story is made of (others are not read).
KINDS = ("stage_started", "stage_reviewed", "candidate_assessed", "human_decision")
SERVER_KINDS = (*KINDS, "application_moved")


def explain(
    candidate: Annotated[str, typer.Option("--candidate", help="the candidate id")],
    database: Annotated[
        bool,
        typer.Option(
            "--database",
            help="read the server's audit table (HIRECREW_DATABASE__URL) instead of the "
            "CLI's audit.jsonl",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the story as JSON")] = False,
    data_dir: DataDir = None,
) -> None:
    """Rebuild from the audit trail why a candidate was advanced or not: each stage's
    assessment (criteria, quoted evidence, rank), the reviewer's verdict and the human
    decision. Exit 1 when the trail never mentions the candidate."""
    from crews.explain import explain_candidate

    settings = settings_for(data_dir)
    if database:
        from server.admin import audit_records

        records = audit_records(settings, SERVER_KINDS)
    else:
        from crews.audit import AuditLog

        if not settings.audit_path.exists():
            raise fail(f"{settings.audit_path}: no audit trail here (try --database)")
        records = [r for r in AuditLog(settings.audit_path).records() if r.get("kind") in KINDS]
    story = explain_candidate(records, candidate)
    if as_json:
        typer.echo(json.dumps(story.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        _print(story)
    if not story.runs and not story.moves:
        raise fail(f"the audit trail never mentions candidate '{candidate}'", 1)


def _print(story: object) -> None:
    from crews.explain import CandidateStory

    assert isinstance(story, CandidateStory)
    for run in story.runs:
        project = f" (project {run.project_id})" if run.project_id else ""
        typer.secho(f"run {run.run_id}{project}: {run.outcome}", bold=True)
        for step in run.steps:
            attempt = f" attempt {step.attempt}" if step.attempt else ""
            typer.echo(f"  {step.stage}{attempt}:")
            if step.assessed is None:
                typer.echo("    not in this stage's output")
            else:
                _print_assessment(step.assessed)
            if step.review_verdict:
                typer.echo(f"    review: {step.review_verdict}")
            for finding in step.review_findings:
                typer.echo(f"      {finding.get('rule')}: {finding.get('message')}")
            if step.decision:
                by = f" by {step.decided_by}" if step.decided_by else ""
                why = f" ({step.decision_reason})" if step.decision_reason else ""
                typer.echo(f"    decision: {step.decision}{by}{why}")
            if step.outcome:
                typer.echo(f"    -> {step.outcome}")
    for move in story.moves:
        why = f": {move.get('reason')}" if move.get("reason") else ""
        typer.echo(f"moved from {move.get('from')} to {move.get('to')} by {move.get('actor')}{why}")


def _print_assessment(assessed: dict[str, object]) -> None:
    if "criteria" in assessed:
        typer.echo(
            f"    rank {assessed.get('rank')}, score {assessed.get('score')}, must-haves met "
            f"{assessed.get('must_haves_met')}/{assessed.get('must_haves_total')}"
        )
        for criterion in assessed.get("criteria") or []:  # type: ignore[attr-defined]
            typer.echo(f"    - {criterion.get('requirement')}: {criterion.get('status')}")
            for quote in criterion.get("evidence") or []:
                typer.echo(f'        "{quote}"')
    elif "matched_skills" in assessed:
        skills = ", ".join(assessed.get("matched_skills") or [])  # type: ignore[arg-type]
        typer.echo(
            f"    found: rank {assessed.get('rank')}, score {assessed.get('score')}; "
            f"matched {skills or 'no listed skill'}"
        )
    else:
        typer.echo(
            f"    outreach drafted: {assessed.get('subject')!r}; interview "
            f"{assessed.get('interview_start') or 'not scheduled'}"
        )
