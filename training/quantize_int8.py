"""An int8 variant of a model folder, for encoding-speed experiments (docs/ENCODER.md, "Encoding
throughput"): the folder's weight edits merged into the ONNX initializers, then every MatMul with a
constant weight rewritten as DynamicQuantizeLinear + MatMulInteger (weights int8 per output column,
activations uint8 with one scale per inference), written as a model folder with max_batch_size 1
(the activation scale covers the whole batch tensor, so only one text per inference is exact).

    python3 training/quantize_int8.py MODEL_DIR OUT_DIR [SKIP,...]

SKIP: substrings of the edits' LoRA tensor names whose weights stay fp32, e.g. ".output.dense." keeps
the attention and feed-forward output projections in fp32. QUANTIZE=0 writes the merged fp32 model
instead (a control for the merge). PER_TOKEN=1 quantizes activations symmetrically with one scale
per token, through explicit ONNX ops (batches exactly; remove max_batch_size by hand)."""
import json, shutil, struct, sys, os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
cfg = json.load(open(os.path.join(src, "metaembed.json")))
model = onnx.load(os.path.join(src, cfg["model"]))
inits = {i.name: i for i in model.graph.initializer}

def safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n]); base = 8 + n; out = {}
    for name, meta in header.items():
        if name == "__metadata__": continue
        a, b = meta["data_offsets"]; assert meta["dtype"] == "F32"
        out[name] = np.frombuffer(raw[base + a: base + b], dtype=np.float32).reshape(meta["shape"])
    return out

tensors = safetensors(os.path.join(src, cfg["weights"]["file"]))
for edit in cfg["weights"]["edits"]:
    init = inits[edit["initializer"]]; w = numpy_helper.to_array(init).astype(np.float32)
    if "append_rows" in edit:
        w = np.concatenate([w, tensors[edit["append_rows"]]], axis=0)
    else:
        a, b = edit["add_product"]; w = w + tensors[a] @ tensors[b]
    init.CopyFrom(numpy_helper.from_array(w.astype(np.float32), init.name))

patterns = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else []
role = {e["initializer"]: e["add_product"][0] for e in cfg["weights"]["edits"] if "add_product" in e}
skip_weights = {w for w, r in role.items() if any(pat in r for pat in patterns)}
new_nodes, quantized = [], 0
for node in model.graph.node:
    w_name = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
    if w_name is None or w_name not in inits or w_name in skip_weights or os.environ.get("QUANTIZE") == "0":
        new_nodes.append(node); continue
    w = numpy_helper.to_array(inits[w_name]).astype(np.float32)  # [in, out]
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0      # per output column
    wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    p = node.name or w_name
    model.graph.initializer.extend([
        numpy_helper.from_array(wq, p + "_wq"),
        numpy_helper.from_array(np.zeros(w.shape[1], np.int8), p + "_wzp"),
        numpy_helper.from_array(scale.astype(np.float32), p + "_wscale")])
    x = node.input[0]
    if os.environ.get("PER_TOKEN") == "1":  # symmetric int8, one scale per token (row)
        model.graph.initializer.extend([
            numpy_helper.from_array(np.array([-1], np.int64), p + "_axes"),
            numpy_helper.from_array(np.array(127.0, np.float32), p + "_127"),
            numpy_helper.from_array(np.array(1e-12, np.float32), p + "_eps"),
            numpy_helper.from_array(np.array(0, np.int8), p + "_azp")])
        new_nodes += [
            helper.make_node("Abs", [x], [p + "_abs"], name=p + "_absn"),
            helper.make_node("ReduceMax", [p + "_abs"], [p + "_amax"], axes=[-1], keepdims=1, name=p + "_rmax"),
            helper.make_node("Div", [p + "_amax", p + "_127"], [p + "_xs0"], name=p + "_sdiv"),
            helper.make_node("Max", [p + "_xs0", p + "_eps"], [p + "_xs"], name=p + "_smax"),
            helper.make_node("Div", [x, p + "_xs"], [p + "_xd"], name=p + "_xdiv"),
            helper.make_node("Round", [p + "_xd"], [p + "_xr"], name=p + "_round"),
            helper.make_node("Cast", [p + "_xr"], [p + "_xq"], to=TensorProto.INT8, name=p + "_xcast"),
            helper.make_node("MatMulInteger", [p + "_xq", p + "_wq", p + "_azp", p + "_wzp"], [p + "_i32"], name=p + "_mmi"),
            helper.make_node("Cast", [p + "_i32"], [p + "_f"], to=TensorProto.FLOAT, name=p + "_cast"),
            helper.make_node("Mul", [p + "_f", p + "_xs"], [p + "_fx"], name=p + "_mulx"),
            helper.make_node("Mul", [p + "_fx", p + "_wscale"], [node.output[0]], name=p + "_out")]
        quantized += 1
        continue
    new_nodes += [
        helper.make_node("DynamicQuantizeLinear", [x], [p + "_xq", p + "_xs", p + "_xzp"], name=p + "_dql"),
        helper.make_node("MatMulInteger", [p + "_xq", p + "_wq", p + "_xzp", p + "_wzp"], [p + "_i32"], name=p + "_mmi"),
        helper.make_node("Cast", [p + "_i32"], [p + "_f"], to=TensorProto.FLOAT, name=p + "_cast"),
        helper.make_node("Mul", [p + "_xs", p + "_wscale"], [p + "_s"], name=p + "_scale"),
        helper.make_node("Mul", [p + "_f", p + "_s"], [node.output[0]], name=p + "_out")]
    quantized += 1
del model.graph.node[:]
model.graph.node.extend(new_nodes)
used = {i for n in model.graph.node for i in n.input}
keep = [i for i in model.graph.initializer if i.name in used]
del model.graph.initializer[:]; model.graph.initializer.extend(keep)
onnx.save(model, os.path.join(dst, "model.onnx"))
cfg.pop("weights"); cfg["max_batch_size"] = 1
json.dump(cfg, open(os.path.join(dst, "metaembed.json"), "w"), indent=2)
shutil.copy(os.path.join(src, cfg["tokenizer"]), dst)
print("quantized MatMuls:", quantized, "->", dst)
