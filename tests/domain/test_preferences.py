"""Preferences: the sentences the distiller writes read back as the same preference, decisions
distil into the right lessons, and the lessons change plans and drafts."""

from __future__ import annotations

import pytest

from domain.artifacts import (
    CandidateList,
    JobDescription,
    OutreachMessage,
    OutreachPlan,
    Requirement,
    SearchPlan,
    Shortlist,
    SourcingReport,
)
from domain.preferences import (
    MUST_HAVE_AFTER,
    Learned,
    Preference,
    apply_to_search_plan,
    body_words,
    distill_edit,
    distill_rejection,
    distill_vote,
    fit_job_description,
    jd_word_budget,
    learned_from,
    parse_preference,
)

ALL_KINDS = [
    Preference(kind="must_have", subject="kubernetes", number=2),
    Preference(kind="must_have", subject="python"),
    Preference(kind="lacking", subject="terraform", number=1),
    Preference(kind="lacking", subject="kubernetes", number=3),
    Preference(kind="not_required", subject="kubernetes"),
    Preference(kind="jd_max_words", number=120),
    Preference(kind="shortlist_size", number=5),
    Preference(kind="outreach_tone", subject="brief"),
]


@pytest.mark.parametrize("preference", ALL_KINDS, ids=lambda p: p.sentence())
def test_every_sentence_reads_back_as_its_preference(preference: Preference) -> None:
    assert parse_preference(preference.sentence()) == preference


@pytest.mark.parametrize(
    ("text", "kind", "subject"),
    [
        ("K8s is a must-have", "must_have", "kubernetes"),
        ("require postgres experience", "must_have", "postgresql"),
        ("Do not require Terraform", "not_required", "terraform"),
        ("keep job descriptions under 200 words please", "jd_max_words", ""),
    ],
)
def test_a_recruiters_own_wording_is_understood(text: str, kind: str, subject: str) -> None:
    parsed = parse_preference(text)
    assert parsed is not None
    assert (parsed.kind, parsed.subject) == (kind, subject)


@pytest.mark.parametrize(
    "text",
    [
        "Treat everyone kindly as a must-have",  # not a skill the taxonomy knows
        "Keep job descriptions to about 0 words",
        "Candidates in Berlin respond faster to e-mail on Tuesdays",
        "",
    ],
)
def test_free_form_notes_are_not_preferences(text: str) -> None:
    assert parse_preference(text) is None


def test_keys_make_contradictions_replace_each_other() -> None:
    must = Preference(kind="must_have", subject="kubernetes")
    not_required = Preference(kind="not_required", subject="kubernetes")
    assert must.key == not_required.key
    assert must.key != Preference(kind="must_have", subject="go").key


def test_two_rejections_for_a_missing_skill_make_it_a_must_have() -> None:
    first = distill_vote("down", "No Kubernetes experience", {})
    assert first == [Preference(kind="lacking", subject="kubernetes", number=1)]
    second = distill_vote("down", "lacks k8s entirely", {first[0].key: first[0]})
    assert second == [Preference(kind="must_have", subject="kubernetes", number=MUST_HAVE_AFTER)]


def test_praise_despite_a_missing_skill_says_it_is_not_required() -> None:
    must = Preference(kind="must_have", subject="kubernetes", number=2)
    learned = distill_vote("up", "Great fit even without Kubernetes", {must.key: must})
    assert learned == [Preference(kind="not_required", subject="kubernetes")]


def test_a_vote_without_a_skill_or_reason_teaches_no_preference() -> None:
    assert distill_vote("down", "too expensive", {}) == []
    assert distill_vote("down", None, {}) == []


def test_a_rejection_names_must_haves_and_missing_skills() -> None:
    learned = distill_rejection("sourcing", "Kubernetes is a must-have; most have no Terraform", {})
    assert Preference(kind="must_have", subject="kubernetes") in learned
    assert Preference(kind="lacking", subject="terraform", number=1) in learned


def _jd(responsibilities: int, nice: int) -> JobDescription:
    return JobDescription(
        title="Backend Engineer",
        summary="Build payment services. Work with a small team. Ship every week.",
        responsibilities=[
            f"Own service number {i} end to end with care" for i in range(responsibilities)
        ],
        must_haves=[Requirement(text="Python in production", kind="must_have", skills=["python"])],
        nice_to_haves=[
            Requirement(text=f"Nice thing number {i}", kind="nice_to_have") for i in range(nice)
        ],
        text="Backend Engineer\nAcme\n\nbody\n",
    )


def test_shortening_a_job_description_teaches_a_word_budget() -> None:
    before, after = _jd(8, 4), _jd(3, 0)
    learned = distill_edit("intake", before, after)
    assert len(learned) == 1 and learned[0].kind == "jd_max_words"
    assert body_words(after) <= (learned[0].number or 0) < body_words(before)


def test_a_small_edit_says_nothing_about_length() -> None:
    before = _jd(8, 4)
    after = before.model_copy(update={"summary": before.summary + " Remote-friendly."})
    assert distill_edit("intake", before, after) == []


def test_fitting_a_draft_cuts_nice_to_haves_then_responsibilities_never_must_haves() -> None:
    draft = _jd(8, 4)
    fitted = fit_job_description(draft, 40)
    assert body_words(fitted) < body_words(draft)
    assert fitted.must_haves == draft.must_haves
    assert fitted.nice_to_haves == []
    assert "Nice thing number" not in fitted.text
    assert fit_job_description(draft, 10_000) is draft


def test_an_unchanged_shortlist_teaches_nothing() -> None:
    before = Shortlist(job_title="x", candidates=[])
    assert distill_edit("screening", before, before) == []


def _message(words: int) -> OutreachMessage:
    return OutreachMessage(
        candidate_id="c1", to="a@example.test", subject="Role", body=" ".join(["word"] * words)
    )


def test_shortened_outreach_messages_teach_a_brief_tone() -> None:
    before = OutreachPlan(messages=[_message(120)])
    after = OutreachPlan(messages=[_message(60)])
    assert distill_edit("outreach", before, after) == [
        Preference(kind="outreach_tone", subject="brief")
    ]


def test_skills_a_recruiter_adds_to_a_plan_become_must_haves() -> None:
    plan = SearchPlan(boolean_query="python", required_skills=["python"])
    before = SourcingReport(plan=plan, results=CandidateList(candidates=[]))
    edited = plan.model_copy(update={"required_skills": ["python", "kubernetes"]})
    after = before.model_copy(update={"plan": edited})
    assert distill_edit("sourcing", before, after) == [
        Preference(kind="must_have", subject="kubernetes")
    ]


def test_learned_must_haves_join_the_search_plan_with_their_memory_id() -> None:
    plan = SearchPlan(
        boolean_query="python", required_skills=["python"], optional_skills=["kubernetes"]
    )
    learned = learned_from(
        [("m-new", "Treat Kubernetes as a must-have."), ("m-old", "Kubernetes is not required.")]
    )
    changed, used = apply_to_search_plan(plan, learned)
    assert changed.required_skills == ["python", "kubernetes"]
    assert "kubernetes" not in changed.optional_skills
    assert used == ["m-new"]
    assert any("m-new" in note for note in changed.learned)


def test_the_newest_memory_of_a_key_wins() -> None:
    learned = learned_from(
        [("m-new", "Kubernetes is not required."), ("m-old", "Treat Kubernetes as a must-have.")]
    )
    plan = SearchPlan(boolean_query="python", required_skills=["python"])
    assert apply_to_search_plan(plan, learned) == (plan, [])


def test_word_budget_comes_with_its_memory() -> None:
    learned = [Learned("m1", Preference(kind="jd_max_words", number=90))]
    assert jd_word_budget(learned) == (90, ["m1"])
    assert jd_word_budget([]) == (None, [])
