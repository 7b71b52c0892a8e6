"""Writes what training changed: the weights file (safetensors) and the metaembed.json that applies it."""
import json
import os
import struct

import numpy as np

from minilm import LAYERS, LINEARS, VOCAB, WORD_EMBEDDINGS

WEIGHTS_FILE = "metaembed-weights.safetensors"


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 little-endian header length, JSON header, then the raw data."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the format aligns the data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def export(model, onnx_names, folder, rq, rc, max_length, metadata):
    """Writes metaembed-weights.safetensors and metaembed.json (meta-tokens mode) into `folder`."""
    os.makedirs(folder, exist_ok=True)
    tensors = {"meta_tokens": model.meta.detach().numpy()}
    edits = [{"initializer": WORD_EMBEDDINGS, "append_rows": "meta_tokens"}]
    for layer in range(LAYERS if model.lora_rank else 0):
        for lin in LINEARS:
            a, b = (t.detach().numpy() for t in model.low_rank(layer, lin))
            name = f"lora.{layer}.{lin}"
            tensors[name + ".a"], tensors[name + ".b"] = a, b
            edits.append({"initializer": onnx_names[f"encoder.layer.{layer}.{lin}.weight"],
                          "add_product": [name + ".a", name + ".b"]})
    write_safetensors(os.path.join(folder, WEIGHTS_FILE), tensors, {k: str(v) for k, v in metadata.items()})
    config = {
        "mode": "meta-tokens",
        "model": "model.onnx",
        "tokenizer": "tokenizer.json",
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "token_type_ids": "token_type_ids"},
        "output": "last_hidden_state",
        "dimension": int(model.meta.shape[1]),
        "max_length": max_length,
        "query": {"prefix": "", "meta_token_ids": list(range(VOCAB, VOCAB + rq))},
        "document": {"prefix": "", "meta_token_ids": list(range(VOCAB + rq, VOCAB + rq + rc))},
        "normalize": True,
        "weights": {"file": WEIGHTS_FILE, "edits": edits},
    }
    with open(os.path.join(folder, "metaembed.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def read_safetensors(path):
    """The float32 tensors of a safetensors file written by write_safetensors, by name."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    return {name: np.frombuffer(data[info["data_offsets"][0]: info["data_offsets"][1]], dtype="<f4")
            .reshape(info["shape"]) for name, info in header.items()}
