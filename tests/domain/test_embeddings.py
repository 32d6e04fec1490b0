"""The MiniLM embedder: tokenizer, shape, norm, meaning, and agreement with the reference model."""

from __future__ import annotations

import numpy as np
import pytest

from domain.embeddings import TOKENIZER_PATH, Embedder, MiniLMEmbedder
from domain.errors import DomainError

# First 8 dimensions of sentence-transformers' fp32 all-MiniLM-L6-v2 for this sentence (the
# values its documentation shows; recomputed here from the model's safetensors weights).
REFERENCE_SENTENCE = "This is an example sentence"
REFERENCE_HEAD = [0.0677, 0.0635, 0.0487, 0.0793, 0.0374, 0.0027, 0.0394, -0.0071]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_is_an_embedder(embedder: MiniLMEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384
    assert TOKENIZER_PATH.is_file()


def test_shape_dtype_and_unit_norm(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(["Python developer", "", "Chef " * 600])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_long_texts_are_cut_at_256_tokens(embedder: MiniLMEmbedder) -> None:
    assert embedder.token_count("word " * 1000) == 256
    # [CLS] and [SEP] around the lowercased WordPiece tokens of the bert-base-uncased vocabulary.
    assert embedder.token_count("Kubernetes") == 2 + len(
        embedder._tokenizer.encode("kubernetes", add_special_tokens=False).ids
    )


def test_related_sentences_are_closer_than_unrelated(embedder: MiniLMEmbedder) -> None:
    nurse, icu, chef = embedder.embed(
        [
            "Registered nurse caring for patients in a hospital ward.",
            "RN with intensive care unit experience administering medication to patients.",
            "Line cook preparing sauces and specials in a restaurant kitchen.",
        ]
    )
    assert float(nurse @ icu) > float(nurse @ chef) + 0.2


def test_order_and_batching_do_not_change_vectors(embedder: MiniLMEmbedder) -> None:
    texts = ["short", "a much longer sentence about accounting and the general ledger", "mid"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_matches_the_reference_model(embedder: MiniLMEmbedder) -> None:
    # The packaged model is an int8 quantisation: close to, not equal to, the fp32 reference
    # (measured cosine to the full fp32 vector: 0.999).
    head = embedder.embed([REFERENCE_SENTENCE])[0][:8]
    assert np.allclose(head, REFERENCE_HEAD, atol=0.006)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(DomainError):
        MiniLMEmbedder(max_tokens=1000)
