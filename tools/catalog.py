"""Names of the tools YAML may refer to, known without importing crewai.

``import crewai`` costs seconds; validating configuration must not pay it. A test checks that
this list and ``tools.recruiting.TOOL_CLASSES`` agree.
"""

TOOL_NAMES: frozenset[str] = frozenset(
    {
        "parse_intake_notes",
        "draft_job_description",
        "check_inclusive_language",
        "revise_job_description",
        "build_search_plan",
        "search_candidates",
        "talent_pool_insights",
        "lint_search_query",
        "screen_candidates",
        "get_candidate_resume",
        "find_interview_slots",
        "draft_outreach_messages",
        "create_calendar_invites",
        "run_compliance_checks",
        "recall_memories",
    }
)
