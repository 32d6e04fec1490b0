"""memory.mem0_embedder: recruiter aliases are resolved in what the model embeds, on both sides."""

from __future__ import annotations

import numpy as np

from memory.mem0_backend import Mem0Memory
from memory.mem0_embedder import Mem0Embedder, embedding_text


def test_embedding_text_resolves_aliases_and_keeps_plain_text() -> None:
    assert embedding_text("Does a CSM need SFDC?") == (
        "Does a CSM (customer success manager) need SFDC (Salesforce)?"
    )
    plain = "Treat Kubernetes as a must-have for backend engineer roles"
    assert embedding_text(plain) == plain
    assert embedding_text(["not", "a string"]) == "['not', 'a string']"


def test_embed_and_embed_batch_see_the_same_text() -> None:
    embedder = Mem0Embedder()
    texts = ["An SRE with k8s", "Munich office"]
    one = np.array([embedder.embed(t, "search") for t in texts])
    many = np.array(embedder.embed_batch(texts, "add"))
    assert np.allclose(one, many, atol=1e-5)
    assert embedder.embed_batch([]) == []


def test_an_alias_query_finds_the_canonical_memory(memory: Mem0Memory) -> None:
    wanted = "Schedule technical interviews for customer success manager candidates on Fridays"
    for text in (
        wanted,
        "Keep job descriptions for site reliability engineers under 400 words",
        "Salesforce is non-negotiable when hiring support engineers",
        "Only considers account executive candidates near Munich",
    ):
        memory.add("alice", text, infer=False)
    assert memory.search("alice", "When can a CSM do the tech interview?", limit=1)[0].text == (
        wanted
    )
    # The stored text is the recruiter's, never the annotated one.
    near = memory.search("alice", "AEs in München", limit=1)[0]
    assert near.text == "Only considers account executive candidates near Munich"
