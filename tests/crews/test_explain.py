"""``hirecrew audit explain``: a candidate's story rebuilt from the audit trail alone, after
a real run on the offline engine (votes, an edit that drops a candidate, a confirm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crews.explain import explain_candidate
from tests.cli.support import run_hirecrew
from tests.crews.conftest import run


def _run_with_an_edit(runtime: Any, project: Any, confirm: Any) -> tuple[Any, str, str, str]:
    """Confirm intake and sourcing, then edit the shortlist down to its first two candidates
    with a thumbs-down on the third; returns the state and the three candidate ids."""
    from crews.runner import start_run

    state = run(start_run(runtime, project))
    state = confirm(runtime, state.id)
    state = confirm(runtime, state.id)
    shortlist = state.stages["screening"].artifact
    kept, second, dropped = (c["candidate_id"] for c in shortlist["candidates"][:3])
    trimmed = {**shortlist, "candidates": shortlist["candidates"][:2]}
    state = confirm(
        runtime,
        state.id,
        decision="edit",
        artifact=trimmed,
        reason="two are enough",
        votes=[{"candidate_id": dropped, "vote": "down", "reason": "no Kubernetes in production"}],
    )
    return state, kept, second, dropped


def test_the_trail_alone_says_why_each_candidate_went_on_or_not(
    runtime: Any, project: Any, confirm: Any, settings: Any
) -> None:
    state, kept, _, dropped = _run_with_an_edit(runtime, project, confirm)
    records = list(runtime.audit.records())

    story = explain_candidate(records, dropped)
    [told] = story.runs
    assert told.run_id == state.id
    assert [s.stage for s in told.steps] == ["sourcing", "screening"]
    sourcing, screening = told.steps
    assert sourcing.assessed and sourcing.assessed["rank"] >= 1
    assert sourcing.decision == "confirm" and "kept" in sourcing.outcome
    assert screening.decision == "edit" and screening.decision_reason == "two are enough"
    assert screening.votes == [
        {"candidate_id": dropped, "vote": "down", "reason": "no Kubernetes in production"}
    ]
    assert "removed" in screening.outcome and "no Kubernetes in production" in screening.outcome
    assert told.outcome == "not advanced: removed by the recruiter at screening"
    # The criteria and their quotes are in the trail, as the shortlist had them.
    confirmed_before = [
        c
        for c in state.stages["sourcing"].artifact["results"]["candidates"]
        if c["candidate_id"] == dropped
    ]
    assert confirmed_before  # found by sourcing, as the trail says
    criteria = screening.assessed["criteria"] if screening.assessed else []
    assert criteria and all(c["status"] for c in criteria)
    assert any(c["evidence"] for c in criteria)

    advanced = explain_candidate(records, kept).runs[0]
    assert advanced.outcome == "advanced: confirmed at screening"
    [shortlisted] = [s for s in advanced.steps if s.stage == "screening"]
    assert shortlisted.outcome == "kept in the confirmed screening output"
    # Drafted for by the outreach stage that followed, which waits for its decision.
    assert advanced.steps[-1].stage == "outreach" and advanced.steps[-1].decision is None

    # Nothing else in the trail is needed: the same story from the file, re-read.
    again = explain_candidate(
        (json.loads(line) for line in settings.audit_path.read_text().splitlines()), dropped
    )
    assert again == story


def test_the_cli_tells_it_and_says_when_the_trail_never_mentions_the_candidate(
    runtime: Any, project: Any, confirm: Any, settings: Any, tmp_path: Path
) -> None:
    _, _, _, dropped = _run_with_an_edit(runtime, project, confirm)
    told = run_hirecrew("audit", "explain", "--candidate", dropped, data_dir=settings.data_dir)
    assert told.returncode == 0, told.stderr
    assert "removed by the recruiter at screening" in told.stdout
    assert "decision: edit" in told.stdout and '"' in told.stdout  # quotes are shown
    as_json = run_hirecrew(
        "audit", "explain", "--candidate", dropped, "--json", data_dir=settings.data_dir
    )
    assert json.loads(as_json.stdout)["runs"][0]["steps"][1]["decision"] == "edit"
    unknown = run_hirecrew("audit", "explain", "--candidate", "nobody", data_dir=settings.data_dir)
    assert unknown.returncode == 1 and "never mentions candidate 'nobody'" in unknown.stderr
