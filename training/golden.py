"""Golden vectors of an exported model, computed by PyTorch from the exported files, for the Java test
that checks the encoder applies the weights exactly as training did (MetaEmbedModelTest).

  /usr/bin/python3 golden.py --jar JAR --model EXPORTED_FOLDER --out golden.json
"""
import argparse
import json
import tempfile

import torch
import torch.nn.functional as F

from export import WEIGHTS_FILE, read_safetensors
from minilm import MiniLM, onnx_weights, read_jar, tune_runtime
from wordpiece import BertWordPiece

QUERY = "list directory contents"
DOCUMENT = ("ls - list directory contents. List information about the FILEs (the current directory by default). "
            "Sort entries alphabetically if none of -cftuvSUX nor --sort is specified.")
DOCUMENT_VECTORS = [0, 1, 7, 15, 63]


def load(jar, folder):
    """The model as the Java encoder builds it: the jar's backbone plus the exported weights."""
    onnx_model, tokenizer_json = read_jar(jar, "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json")
    config = json.load(open(f"{folder}/metaembed.json"))
    tensors = read_safetensors(f"{folder}/{WEIGHTS_FILE}")
    weights, onnx_names = onnx_weights(onnx_model)
    by_onnx_name = {v: k for k, v in onnx_names.items()}
    model = MiniLM(weights, meta_rows=tensors["meta_tokens"].shape[0])
    with torch.no_grad():
        model.meta.copy_(torch.from_numpy(tensors["meta_tokens"].copy()))
        for edit in config["weights"]["edits"]:
            if "add_product" in edit:
                a, b = (torch.from_numpy(tensors[n].copy()) for n in edit["add_product"])
                model.base[by_onnx_name[edit["initializer"]]] += a @ b
    return model, config, tokenizer_json


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jar", required=True)
    ap.add_argument("--model", required=True, help="folder with metaembed.json and the weights file")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    tune_runtime(2)
    model, config, tokenizer_json = load(args.jar, args.model)
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(tokenizer_json)
        f.flush()
        tok = BertWordPiece(f.name)
    limit = config["max_length"]

    def vectors(text, meta_ids):
        ids = tok.encode(text, limit - len(meta_ids)) + meta_ids
        with torch.no_grad():
            states = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
        return F.normalize(states[-len(meta_ids):], dim=-1)

    query = vectors(QUERY, config["query"]["meta_token_ids"])
    document = vectors(DOCUMENT, config["document"]["meta_token_ids"])
    golden = {"query": QUERY, "query_vectors": [[round(x, 7) for x in v.tolist()] for v in query],
              "document": DOCUMENT, "document_vectors": {str(i): [round(x, 7) for x in document[i].tolist()]
                                                         for i in DOCUMENT_VECTORS}}
    with open(args.out, "w") as f:
        json.dump(golden, f)
        f.write("\n")
    print(f"wrote {args.out}: {len(query)} query vectors, document vectors {DOCUMENT_VECTORS}")


if __name__ == "__main__":
    main()
