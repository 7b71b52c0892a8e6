#!/usr/bin/python3
"""Writes the tiny test model of encoder-onnx: model.onnx and tokenizer.json.

The model has the tensor contract of a MetaEmbed export (input_ids, attention_mask,
pixel_values -> last_hidden_state [batch, sequence, 16]) and makes every output traceable:

  state[b, s] = (E[input_ids[b, s]] + POSITION * s + IMAGE(pixel_values[b]) + BIAS) * mask[b, s]

  E[i]      one-hot at component i % 10, and i / 100 at component 10  (which token)
  POSITION  s / 10 at component 11                                     (which position)
  IMAGE     per-channel mean of pixel_values at components 12, 13, 14  (which image;
            the encoder sends zeros when a text has no image)
  BIAS      1 at component 15                                          (never a zero vector)

text-model.onnx is the same without the image input (a text-only model). adapted-model.onnx is the
text-only model with the token rows multiplied by W (16 x 16, the identity, stored as raw data) before
the position is added: a target for the encoder's weight edits (rows appended to E, a product added to W).
Needs only Debian's python3-onnx (onnx.helper, no torch):  /usr/bin/python3 make_tiny_model.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DIM = 16
VOCAB = 40
IMAGE = (3, 4, 4)
WORDS = ["hello", "world", "man", "page", "list", "directory", "contents", "copy",
         "files", "the", "a", "of", "to", "and", "is", "in"]


def embedding_table():
    rows = []
    for i in range(VOCAB):
        row = [0.0] * DIM
        row[i % 10] = 1.0
        row[10] = i / 100.0
        rows.extend(row)
    return helper.make_tensor("E", TensorProto.FLOAT, [VOCAB, DIM], rows)


def constant(name, dims, values, dtype=TensorProto.FLOAT):
    return helper.make_tensor(name, dtype, dims, values)


def model(with_image, adapted=False):
    onehot = lambda c: [1.0 if j == c else 0.0 for j in range(DIM)]
    image_projection = []
    for c in range(3):
        image_projection.extend(onehot(12 + c))
    initializers = [
        embedding_table(),
        constant("position_unit", [1, DIM], [0.1 if j == 11 else 0.0 for j in range(DIM)]),
        constant("image_projection", [3, DIM], image_projection),
        constant("bias", [DIM], onehot(15)),
        constant("zero", [], [0], TensorProto.INT64),
        constant("one", [], [1], TensorProto.INT64),
        constant("axis1", [1], [1], TensorProto.INT64),
        constant("axis2", [1], [2], TensorProto.INT64),
    ]
    if adapted:
        initializers.append(numpy_helper.from_array(np.eye(DIM, dtype=np.float32), "W"))
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["rows" if adapted else "tokens"], axis=0),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["length"], axis=0),
        helper.make_node("Range", ["zero", "length", "one"], ["positions"]),
        helper.make_node("Cast", ["positions"], ["positions_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["positions_f", "axis1"], ["positions_col"]),
        helper.make_node("MatMul", ["positions_col", "position_unit"], ["position_states"]),
        helper.make_node("Add", ["tokens", "position_states"], ["with_positions"]),
    ]
    if adapted:
        nodes.insert(1, helper.make_node("MatMul", ["rows", "W"], ["tokens"]))
    if with_image:
        nodes += [
            helper.make_node("ReduceMean", ["pixel_values"], ["channel_means"], axes=[2, 3], keepdims=0),
            helper.make_node("MatMul", ["channel_means", "image_projection"], ["image_states"]),
            helper.make_node("Unsqueeze", ["image_states", "axis1"], ["image_rows"]),
            helper.make_node("Add", ["with_positions", "image_rows"], ["with_image"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["with_positions"], ["with_image"]))
    nodes += [
        helper.make_node("Add", ["with_image", "bias"], ["unmasked"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask_col"]),
        helper.make_node("Mul", ["unmasked", "mask_col"], ["last_hidden_state"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
    ]
    if with_image:
        inputs.append(helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", *IMAGE]))
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", DIM])]
    graph = helper.make_graph(nodes, "metaembed-tiny", inputs, outputs, initializers)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_tiny_model.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def tokenizer():
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for i, word in enumerate(WORDS):
        vocab[word] = 4 + i
    for i in range(4):
        vocab[f"[Q{i}]"] = 20 + i
    for i in range(8):
        vocab[f"[D{i}]"] = 30 + i
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [f"[Q{i}]" for i in range(4)] + [f"[D{i}]" for i in range(8)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for t in special],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]},
            },
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
    }


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    onnx.save(model(with_image=True), os.path.join(out, "model.onnx"))
    onnx.save(model(with_image=False), os.path.join(out, "text-model.onnx"))
    onnx.save(model(with_image=False, adapted=True), os.path.join(out, "adapted-model.onnx"))
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer(), f, indent=1)
    print("wrote", out)
