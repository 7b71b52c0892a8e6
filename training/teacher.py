"""The distillation teacher: all-token MaxSim of the frozen backbone (no meta tokens, no LoRA).

Every token state of the untrained all-MiniLM-L6-v2, L2-normalized, is a vector; a query scores a
document by the mean over its tokens of the best cosine with any document token. Out of the man
pages domain this untrained multi-vector model ranks better than the single-vector models trained
here, and its ranking carries token-level detail that vector 0 alone cannot reproduce: the signal
the finer budgets should learn. Token states are computed once per text and kept (float16).
"""
import torch
import torch.nn.functional as F


class AllTokenTeacher:
    def __init__(self, model, tokenizer, padded):
        self.model, self.tok, self.padded = model, tokenizer, padded
        self.cache = {}

    def states(self, key_texts, limit):
        """Unit token states [len, 384] of each (key, text), computed with LoRA switched off."""
        missing = [(k, t) for k, t in key_texts if k not in self.cache]
        if missing:
            seqs = [self.tok.encode(t, limit) for _, t in missing]
            with torch.no_grad(), self.model.without_lora():
                hidden = F.normalize(self.model(*self.padded(seqs)), dim=-1)
            for (k, _), s, h in zip(missing, seqs, hidden):
                self.cache[k] = h[: len(s)].half()
        return [self.cache[k].float() for k, _ in key_texts]

    def keep(self, keys, states, mask):
        """Caches backbone states [B, L, 384] (LoRA off or still zero) computed elsewhere, cut to each mask."""
        for k, h, m in zip(keys, F.normalize(states, dim=-1), mask):
            self.cache[k] = h[: int(m.sum())].half()

    def scores(self, queries, docs, query_limit, doc_limit):
        """[len(queries), len(docs)] mean-over-query-tokens max-over-document-tokens cosine."""
        q = self.states(queries, query_limit)
        d = self.states(docs, doc_limit)
        lengths = torch.tensor([len(x) for x in d])
        dpad = torch.nn.utils.rnn.pad_sequence(d, batch_first=True)  # [D, Ld, 384]
        invalid = torch.arange(dpad.shape[1])[None, :] >= lengths[:, None]  # [D, Ld]
        rows = []
        for qs in q:
            sim = torch.einsum("id,bjd->bij", qs, dpad).masked_fill(invalid[:, None, :], -2.0)
            rows.append(sim.max(-1).values.mean(-1))
        return torch.stack(rows)
