"""domain.vocabulary: recruiter shorthand resolved to canonical names for embedding."""

from __future__ import annotations

import itertools
import time

import pytest

from domain.errors import DomainError
from domain.vocabulary import (
    KINDS,
    Term,
    Vocabulary,
    canonical_text,
    default_vocabulary,
    find_mentions,
)


def test_the_bundled_table_loads_and_is_valid() -> None:
    vocabulary = default_vocabulary()
    assert len(vocabulary) > 50
    assert {term.kind for term in vocabulary.terms()} <= set(KINDS)
    assert vocabulary.canonical("SRE") == "site reliability engineer"
    assert vocabulary.canonical("CSMs") == "customer success managers"
    assert vocabulary.canonical("münchen") == "Munich"
    assert vocabulary.canonical("sre") is None  # acronyms are case-sensitive
    assert vocabulary.canonical("Kubernetes") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Does an SRE need k8s?",
            "Does an SRE (site reliability engineer) need k8s (kubernetes)?",
        ),
        ("Two CSMs in München", "Two CSMs (customer success managers) in München (Munich)"),
        ("SFDC for AEs", "SFDC (Salesforce) for AEs (account executives)"),
        ("fintech roles in NYC", "fintech (financial technology) roles in NYC (New York City)"),
        ("an ML engineer", "an ML (machine learning) engineer"),
        ("an MLE", "an MLE (machine learning engineer)"),
        ("the HM chat", "the HM (hiring manager) chat"),
    ],
)
def test_aliases_are_followed_by_their_canonical_name(text: str, expected: str) -> None:
    assert canonical_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Treat Kubernetes as a must-have for backend engineer roles",
        "Keep data engineer job descriptions short",  # an inflection of a skill name
        "Calls at 3 PM only",  # a time, not a product manager
        "we want to go fast and excel at support",  # everyday words, not Go or Excel
        "the sre team",  # acronyms match in capitals only
        "Keep opening emails to site reliability engineers formal",
        "",
    ],
)
def test_text_without_aliases_is_unchanged(text: str) -> None:
    assert canonical_text(text) is text or canonical_text(text) == text


def test_the_pm_is_resolved_but_not_the_time() -> None:
    assert canonical_text("Ask the PM at 3 PM") == "Ask the PM (product manager) at 3 PM"


def test_annotating_twice_changes_nothing() -> None:
    text = "SREs and a CSM in Köln with k8s, SOC2 and fintech; the Bay Area HRBP"
    once = canonical_text(text)
    assert once != text
    assert canonical_text(once) == once


def test_words_of_the_original_are_kept() -> None:
    text = "Did we decline someone over SFDC gaps for the CSM opening?"
    annotated = canonical_text(text)
    assert annotated.replace(" (Salesforce)", "").replace(" (customer success manager)", "") == (
        text
    )


def test_mentions_do_not_overlap_and_the_longest_wins() -> None:
    mentions = find_mentions("An SF Bay Area SRE")
    assert [(m.canonical, m.kind) for m in mentions] == [
        ("San Francisco area", "place"),
        ("site reliability engineer", "role"),
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_a_custom_table_is_validated() -> None:
    table = Vocabulary([Term("quality engineer", ("QE",), "role", exact=True, plural="QA folk")])
    assert canonical_text("two QEs", table) == "two QEs (QA folk)"
    with pytest.raises(DomainError, match="unknown kind"):
        Vocabulary([Term("x", ("y",), "colour")])
    with pytest.raises(DomainError, match="already claimed"):
        Vocabulary([Term("a b", ("ab",), "word"), Term("c d", ("AB",), "word")])
    with pytest.raises(DomainError, match="itself"):
        Vocabulary([Term("Munich", ("munich",), "place")])
    with pytest.raises(DomainError, match="contains the alias"):
        Vocabulary([Term("human resources", ("HR",), "word", exact=True),
                    Term("HR partner", ("HRBP",), "word", exact=True)])  # fmt: skip


def test_it_is_fast() -> None:
    text = "Can I shortlist an EM in München who has never used k8s or SFDC at a fintech?"
    canonical_text(text)
    started = time.perf_counter()
    for _ in range(200):
        canonical_text(text)
    assert (time.perf_counter() - started) / 200 < 0.005  # about 0.5 ms on a laptop core
