"""The memory benchmark's data: deterministic, distinct per recruiter, honest paraphrases."""

from __future__ import annotations

import re

from bench import memory_data
from bench.memory_data import generate_memories, longest_common_run, paraphrase_stats, pick_queries

_STOPWORDS = {
    "a", "an", "the", "to", "for", "of", "in", "on", "with", "is", "are", "be", "and", "or",
    "we", "i", "my", "our", "us", "do", "does", "that", "who", "it", "at", "from", "by", "no",
    "their", "they", "any", "what", "when", "how", "can", "should", "would", "which",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _numbers(text: str) -> set[str]:
    """Standalone numbers ("300 words", "150k"), not digits inside names (B2B, SOC 2)."""
    return set(re.findall(r"(?<![\w/])\d+(?=k\b|\+|\b)(?! ?compliance)", text))


def _content(text: str) -> str:
    return " ".join(w for w in text.split() if w.lower() not in _STOPWORDS)


def test_same_seed_same_data_and_one_memory_per_key() -> None:
    first = generate_memories(3, 400, seed=5)
    assert first == generate_memories(3, 400, seed=5)
    assert first != generate_memories(3, 400, seed=6)
    for memories in first:
        assert len(memories) == 400
        assert len({m.key for m in memories}) == 400
        assert len({m.text for m in memories}) == 400
        assert len({m.user for m in memories}) == 1


def test_a_thousand_distinct_memories_per_recruiter() -> None:
    (memories,) = generate_memories(1, 1000, seed=1)
    assert len({m.text for m in memories}) == 1000
    assert len({m.kind for m in memories}) == len(memory_data.KINDS)


def test_queries_paraphrase_rather_than_copy() -> None:
    memories = [m for user in generate_memories(5, 300, seed=2) for m in user]
    for m in memories:
        assert m.query.lower() != m.text.lower()
        assert m.text.lower() not in m.query.lower()
        # Numbers are asked for, never given.
        assert not _numbers(m.text) & _numbers(m.query), m
        # A shared run of content words longer than a slot value ("machine learning
        # engineer") would be copied template wording.
        assert longest_common_run(_content(m.text), _content(m.query)) <= 4, m
    stats = paraphrase_stats(memories)
    assert stats["word_jaccard_mean"] < 0.25
    assert stats["query_contains_memory_text"] == 0


def test_query_templates_share_no_content_word_with_memory_templates() -> None:
    """Read the template strings of every kind from the source: the wording of a question
    must come from a separate vocabulary than the wording of the memory it recalls."""
    source = open(memory_data.__file__, encoding="utf-8").read()
    for kind, _, maker in memory_data.KINDS:
        body = source.split(f"def {maker.__name__}(")[1].split("\ndef ")[0]
        blocks = re.findall(r"_choose\(\s*s\.rng,\s*\((.*?)\),\n", body, re.S)
        assert len(blocks) == 2, kind
        memory_words, query_words = (
            {
                w
                for text in re.findall(r'"([^"]*)"', block)
                for w in re.findall(r"[a-z'-]+", _PLACEHOLDER.sub(" ", text).lower())
            }
            - _STOPWORDS
            for block in blocks
        )
        assert not memory_words & query_words, (kind, memory_words & query_words)


def test_pick_queries_spreads_over_recruiters() -> None:
    layout = generate_memories(4, 50, seed=3)
    picked = pick_queries(layout, 20)
    assert len(picked) == len({(m.user, m.index) for m in picked}) == 20
    assert {m.user for m in picked} == {memories[0].user for memories in layout}


def test_alias_rate_changes_the_queries_only() -> None:
    aliased = generate_memories(2, 200, seed=4)
    canonical = generate_memories(2, 200, seed=4, alias_rate=0.0)
    pairs = [
        (a, c)
        for mine, plain in zip(aliased, canonical, strict=True)
        for a, c in zip(mine, plain, strict=True)
    ]
    assert all(a.text == c.text and a.key == c.key for a, c in pairs)
    assert sum(a.query != c.query for a, c in pairs) > 100
