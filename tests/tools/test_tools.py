"""Tools are thin, bound to their workspace, and tell a misusing agent what went wrong."""

from __future__ import annotations

import json

from tests.tools.support import workspace as _workspace
from tools.catalog import TOOL_NAMES


def test_catalog_names_match_the_tool_classes() -> None:
    from tools.recruiting import TOOL_CLASSES

    assert set(TOOL_CLASSES) == TOOL_NAMES


def test_tool_errors_come_back_as_text_the_agent_can_act_on() -> None:
    from tools.recruiting import GetResumeTool, ScreenCandidatesTool

    ws = _workspace()
    assert GetResumeTool(workspace=ws).run(candidate_id="nope").startswith("Error: no candidate")
    answer = ScreenCandidatesTool(workspace=ws).run(candidate_ids=["c1"])
    assert answer.startswith("Error:") and "sourcing stage comes first" in answer


def test_agents_can_only_screen_candidates_the_recruiter_confirmed() -> None:
    from domain.artifacts import CandidateList, CandidateMatch, SearchPlan, SourcingReport
    from domain.intake import parse_intake_notes
    from domain.jd import compose_job_description
    from tools.recruiting import ScreenCandidatesTool

    ws = _workspace()
    ws.job = compose_job_description(parse_intake_notes(ws.intake_notes))
    ws.sourcing = SourcingReport(
        plan=SearchPlan(boolean_query="python"),
        results=CandidateList(
            candidates=[CandidateMatch(candidate_id="c1", name="A", headline="h", score=1.0)]
        ),
    )
    refused = ScreenCandidatesTool(workspace=ws).run(candidate_ids=["c9"])
    assert refused == "Error: c9 not in the confirmed sourcing results; use ids from there"
    shortlist = json.loads(ScreenCandidatesTool(workspace=ws).run(candidate_ids=[]))
    assert [c["candidate_id"] for c in shortlist["candidates"]] == ["c1"]


def test_resume_text_is_delimited_as_untrusted() -> None:
    from tools.recruiting import GetResumeTool

    text = GetResumeTool(workspace=_workspace()).run(candidate_id="c1")
    assert text.startswith("<untrusted_resume id='c1'>")
    assert text.rstrip().endswith("</untrusted_resume>")


def test_draft_tool_keeps_the_recruiters_requirements() -> None:
    from tools.recruiting import DraftJobDescriptionTool

    jd = json.loads(DraftJobDescriptionTool(workspace=_workspace()).run())
    assert jd["title"] == "Backend Engineer"
    assert [r["text"] for r in jd["must_haves"]] == ["Python"]
