"""The blind view: identity and its proxies out of what screening sees, and the reveal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from domain.artifacts import JobDescription, Requirement
from domain.entities import Candidate
from domain.redaction import blind_texts, blind_view, redact_text, reveal
from domain.screening import screen_candidate, screen_pool

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.parametrize(
    ("original", "blind"),
    [
        ("Mail ana.example+jobs@mail.co.uk today", "Mail [email] today"),
        ("Call +1 (555) 123-4567 or 555-987-6543", "Call [phone] or [phone]"),
        ("Tel: +44 20 7946 0958.", "Tel: [phone]."),
        ("See https://ana.dev/cv and www.ana.dev", "See [url] and [url]"),
        ("linkedin.com/in/ana-ex, github.com/anaex, @ana_codes", "[url], [url], [url]"),
        ("12 Main Street, Apt 4, Springfield", "[address], Springfield"),
        ("Hauptstraße 5, Berlin", "[address], Berlin"),
        ("Springfield, IL 62704", "Springfield, IL [zip]"),
        ("ZIP: 10115; London SW1A 1AA", "ZIP: [zip]; London [zip]"),
        ("Date of birth: 12/03/1990", "Date of birth: [date of birth]"),
        ("DOB 3 March 1990; born in 1990", "DOB [date of birth]; born in [date of birth]"),
        ("Age: 34. A 34 years old engineer.", "Age: [age]. A [age] engineer."),
        ("Class of 2009; graduated in 2009.", "Class of [year]; graduated in [year]."),
        ("Photo: ana.jpg", "[photo]"),
        ("Marital status: Married", "Marital status: [marital status]"),
        ("Divorced, with a spouse", "[marital status], with a [marital status]"),
        ("Mr. Smith and Mrs Jones", "[title] Smith and [title] Jones"),
        (
            "She led her team and gave him his notes.",
            "They led their team and gave them their notes.",
        ),
        (
            "He thanked her. The award was hers, herself.",
            "They thanked them. The award was theirs, themselves.",
        ),
    ],
)
def test_each_kind_of_pii_is_replaced(original: str, blind: str) -> None:
    assert redact_text(original) == blind


@pytest.mark.parametrize(
    "kept",
    [
        "Engineer, Acme (2015-2019); served 50000 users.",
        "Expert in MS Office, Ms-Office and photo editing; Photography.",
        "Certified to ISO/TS 16949 and QS 9001.",
        "Trained HIM staff; 4-Hers club; sheets and theme.",
        "Volunteer, 2009 United Way; 5 years of Python; managed 3 age groups.",
    ],
)
def test_job_related_text_is_left_alone(kept: str) -> None:
    assert redact_text(kept) == kept


def test_graduation_years_go_but_employment_years_stay() -> None:
    text = (
        "Experience\nEngineer, Acme (2015–2019)\n\nEducation\nLakeshore University\n2008 - 2012\n"
        "\nSkills\nPython since 2010\n\nAwards: M.Sc. Physics (2014)\n"
    )
    assert redact_text(text) == (
        "Experience\nEngineer, Acme (2015–2019)\n\nEducation\nLakeshore University\n"
        "[year] - [year]\n\nSkills\nPython since 2010\n\nAwards: M.Sc. Physics ([year])\n"
    )


def test_name_and_its_parts_are_replaced_but_skills_named_like_people_stay() -> None:
    text = "ANA RUBY EXAMPLE\nAna Ruby Example built Ruby services; Example Corp hired Ana.\n"
    assert redact_text(text, names=["Ana Ruby Example"]) == (
        "[name]\n[name] built Ruby services; [name] Corp hired [name].\n"
    )


def test_blind_view_empties_identity_fields_and_is_idempotent() -> None:
    candidate = Candidate(
        id="c1",
        name="Ana Example",
        email="ana@example.test",
        location="Berlin",
        headline="Ana Example | Python",
        years_experience=8,
        skills=["python"],
        resume_text="Ana Example\nana@example.test\nShe built Python services.\n",
    )
    blind = blind_view(candidate)
    assert (blind.name, blind.email, blind.location) == ("", None, None)
    assert blind.headline == "[name] | Python"
    assert blind.resume_text == "[name]\n[email]\nThey built Python services.\n"
    assert (blind.id, blind.years_experience, blind.skills) == ("c1", 8, ["python"])
    assert blind_view(blind) == blind
    assert redact_text(blind.resume_text) == blind.resume_text
    assert blind_texts([candidate]) == {"c1": blind.resume_text}


def test_reveal_names_the_ids_in_order() -> None:
    pool = [
        Candidate(id="c1", name="Ana", email="a@x.test", resume_text="x"),
        Candidate(id="c2", name="Bo", resume_text="y"),
    ]
    revealed = reveal(["c2", "c1", "ghost"], pool)
    assert [(r.candidate_id, r.rank, r.name, r.email) for r in revealed] == [
        ("c2", 1, "Bo", None),
        ("c1", 2, "Ana", "a@x.test"),
        ("ghost", 3, "", None),
    ]


# --- counterfactual invariance ----------------------------------------------------------------

TEMPLATE = """{name}
{street}, Springfield, IL {zip} · {email} · {phone}

Summary
{He} is a backend engineer with 6 years of Python. {His} team runs PostgreSQL in production.

Experience
Backend Engineer, Ledgerly (2019–present)
- Built ledger services in Python; {he} mentored {his} peers on Kubernetes.
- Ran on-call for {his} team and coached {him} through incidents.

Education
B.Sc. Computer Science, Lakeshore University ({grad})

Skills: Python, PostgreSQL, Kubernetes, Go
"""


def _person(variant: dict[str, str], cid: str) -> Candidate:
    return Candidate(
        id=cid,
        name=variant["name"],
        email=variant["email"],
        location="Springfield",
        years_experience=6,
        resume_text=TEMPLATE.format(**variant),
    )


FIRST = {
    "name": "James Miller", "street": "12 Oak Street", "zip": "62704",
    "email": "james.miller@mail.test", "phone": "(217) 555-0100", "He": "He", "His": "His",
    "he": "he", "his": "his", "him": "him", "grad": "1998",
}  # fmt: skip
SECOND = {
    "name": "Aisha Okafor", "street": "4821 Lakeview Avenue", "zip": "62711",
    "email": "aisha.okafor@mail.test", "phone": "+1 217 555 0199", "He": "She", "His": "Her",
    "he": "she", "his": "her", "him": "her", "grad": "2016",
}  # fmt: skip


def _jd() -> JobDescription:
    def req(text: str, kind: str, *skills: str, years: int | None = None) -> Requirement:
        return Requirement.model_validate(
            {"text": text, "kind": kind, "skills": list(skills), "min_years": years}
        )

    return JobDescription(
        title="Backend Engineer",
        summary="x",
        must_haves=[
            req("5+ years of Python", "must_have", "python", years=5),
            req("PostgreSQL in production", "must_have", "postgresql"),
            req("Kubernetes", "must_have", "kubernetes"),
            req("Computer Science background", "must_have"),
        ],
        nice_to_haves=[req("Go", "nice_to_have", "go"), req("On-call", "nice_to_have")],
        text="x",
    )


def test_counterfactual_resumes_get_the_same_blind_text_score_and_verdicts() -> None:
    first, second = _person(FIRST, "c1"), _person(SECOND, "c2")
    assert first.resume_text != second.resume_text
    assert blind_view(first).resume_text == blind_view(second).resume_text
    a, b = screen_candidate(first, _jd()), screen_candidate(second, _jd())
    assert a.score == b.score
    assert a.assessments == b.assessments
    assert a.summary == b.summary
    for assessment in a.assessments:
        for quote in assessment.evidence:
            for leak in ("James", "Miller", "1998", "Oak", "62704", "his", "He "):
                assert leak not in quote


def test_real_resumes_redact_fast_and_idempotently() -> None:
    resumes = DATA / "resumes" / "resumes.json"
    if not resumes.is_file():
        pytest.skip("shared resume data not available")
    texts = [r["text"] for r in json.loads(resumes.read_text(encoding="utf-8"))[:150]]
    for text in texts:
        blind = redact_text(text)
        assert redact_text(blind) == blind
        assert re.search(r"[\w.+-]+@[A-Za-z0-9-]+\.[A-Za-z]", blind) is None
        assert re.search(r"https?://", blind) is None


# --- counterfactual twins on real resumes -----------------------------------------------------

# Two people who differ only in protected signals: name, pronouns, street address and ZIP,
# e-mail, phone, age, marital and family status, nationality, religion, gender, graduation year
# (the city is the same: where someone lives can be job-related, a commute).
TWIN_HEADERS = (
    (
        "James Miller",
        "James Miller\n12 Oak Street, Springfield, IL 62704 · james.miller@mail.test · "
        "(217) 555-0100\nDate of birth: 14 March 1968. Marital status: Married. Children: 2. "
        "Nationality: American. Religion: Catholic. Gender: Male.\nHe is known for his calm "
        "on-call work.\n",
        "B.Sc. Computer Science, Lakeshore University (1990)",
    ),
    (
        "Aisha Okafor",
        "Aisha Okafor\n4821 Lakeview Avenue, Springfield, IL 62711 · aisha.okafor@mail.test · "
        "+1 217 555 0199\nDate of birth: 2 June 1999. Marital status: Single. Children: none. "
        "Nationality: Nigerian. Religion: Muslim. Gender: Female.\nShe is known for her calm "
        "on-call work.\n",
        "B.Sc. Computer Science, Lakeshore University (2021)",
    ),
)


def _twin(resume_id: str, text: str, which: int) -> Candidate:
    name, header, education = TWIN_HEADERS[which]
    return Candidate(
        id=resume_id,
        name=name,
        email=f"{name.split()[0].lower()}@mail.test",
        resume_text=f"{header}\n{text}\n\nEducation\n{education}\n",
    )


def test_real_resumes_swapped_into_another_identity_keep_score_verdicts_and_rank() -> None:
    """60 real IT resumes, each given two identities that differ only in protected signals:
    the blind views are identical, so every score, verdict and quote, and every rank in the
    pool, is the same (tolerance: none)."""
    resumes = DATA / "resumes" / "resumes.json"
    if not resumes.is_file():
        pytest.skip("shared resume data not available")
    real = [
        r
        for r in json.loads(resumes.read_text(encoding="utf-8"))
        if r["category"] == "INFORMATION-TECHNOLOGY"
    ][:60]
    assert len(real) == 60
    jd = JobDescription(
        title="IT Systems Administrator",
        summary="x",
        must_haves=[
            Requirement(text="3+ years of IT support", kind="must_have", min_years=3),
            Requirement(text="Windows Server", kind="must_have", skills=["windows server"]),
            Requirement(text="Active Directory", kind="must_have", skills=["active directory"]),
        ],
        nice_to_haves=[
            Requirement(text="Networking", kind="nice_to_have", skills=["networking"]),
            Requirement(text="SQL", kind="nice_to_have", skills=["sql"]),
        ],
        text="x",
    )
    first = [_twin(r["id"], r["text"], 0) for r in real]
    second = [_twin(r["id"], r["text"], 1) for r in real]
    for a, b in zip(first, second, strict=True):
        assert blind_view(a).resume_text == blind_view(b).resume_text, a.id
    ranked_a = screen_pool(first, jd).candidates
    ranked_b = screen_pool(second, jd).candidates
    assert [c.candidate_id for c in ranked_a] == [c.candidate_id for c in ranked_b]
    for a, b in zip(ranked_a, ranked_b, strict=True):
        assert (a.rank, a.score, a.must_haves_met) == (b.rank, b.score, b.must_haves_met)
        assert a.assessments == b.assessments
    # Not a vacuous pool: the requirements separate the candidates.
    assert len({c.score for c in ranked_a}) > 5 and ranked_a[0].must_haves_met >= 2


@pytest.mark.parametrize(
    ("original", "blind"),
    [
        ("Nationality: German.", "Nationality: [personal detail]."),
        ("Religion : Catholic | Height: 180 cm", "Religion : [personal detail] | Height: "
         "[personal detail]"),
        ("Gender: Female; Sex: F", "Gender: [personal detail]; Sex: [personal detail]"),
        ("Father's name: John Miller", "Father's name: [personal detail]"),
        ("Married with two children.", "[marital status] with [family status]."),
        ("Proud mother of three.", "Proud [family status]."),
    ],
)  # fmt: skip
def test_labelled_personal_details_and_family_status_are_blinded(original: str, blind: str) -> None:
    assert redact_text(original) == blind
    assert redact_text(blind) == blind


@pytest.mark.parametrize(
    "kept",
    [
        "Fixed race conditions in the scheduler.",
        "Taught gender studies and children's literature.",
        "Built a sex-education app for schools.",
        "Height maps and weight tuning for the model.",
        "Ran the children's hospital IT helpdesk.",
    ],
)
def test_personal_detail_words_without_a_label_stay(kept: str) -> None:
    assert redact_text(kept) == kept
