"""A pure-Python BERT WordPiece tokenizer read from a Hugging Face tokenizer.json.

It reproduces the tokenizer the Java encoder uses (BertNormalizer with lowercasing, accent
stripping and CJK splitting, the BERT pre-tokenizer, WordPiece with "##" continuations), so that
training sees exactly the token ids the encoder will produce. Checked equal on 404 texts of the man
pages set against the encoder's tokenizer.
"""
import json
import unicodedata


class BertWordPiece:
    def __init__(self, path):
        t = json.load(open(path, encoding="utf-8"))
        self.vocab = t["model"]["vocab"]
        self.unk = self.vocab["[UNK]"]
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.max_chars = t["model"].get("max_input_chars_per_word", 100)
        self.cache = {}

    @staticmethod
    def _is_control(c):
        if c in "\t\n\r":
            return False
        return unicodedata.category(c).startswith("C")

    @staticmethod
    def _is_punct(c):
        o = ord(c)
        if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
            return True
        return unicodedata.category(c).startswith("P")

    @staticmethod
    def _is_cjk(o):
        return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF or 0x2A700 <= o <= 0x2B73F
                or 0x2B740 <= o <= 0x2B81F or 0x2B820 <= o <= 0x2CEAF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)

    def normalize(self, text):
        out = []
        for c in text:
            o = ord(c)
            if o == 0 or o == 0xFFFD or self._is_control(c):
                continue
            if c.isspace() or unicodedata.category(c) == "Zs":
                out.append(" ")
            elif self._is_cjk(o):
                out.append(" " + c + " ")
            else:
                out.append(c)
        s = "".join(out).lower()
        s = unicodedata.normalize("NFD", s)
        return "".join(c for c in s if unicodedata.category(c) != "Mn")

    def pretokenize(self, s):
        words, cur = [], []
        for c in s:
            if c.isspace():
                if cur:
                    words.append("".join(cur)); cur = []
            elif self._is_punct(c):
                if cur:
                    words.append("".join(cur)); cur = []
                words.append(c)
            else:
                cur.append(c)
        if cur:
            words.append("".join(cur))
        return words

    def wordpiece(self, word):
        if word in self.cache:
            return self.cache[word]
        if len(word) > self.max_chars:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                ids = [self.unk]
                break
            ids.append(found)
            start = end
        self.cache[word] = ids
        return ids

    def encode(self, text, limit=None):
        """[CLS] tokens [SEP]; with limit, the tokens are cut so that the whole fits in limit."""
        ids = [i for w in self.pretokenize(self.normalize(text)) for i in self.wordpiece(w)]
        if limit is not None:
            ids = ids[: limit - 2]
        return [self.cls] + ids + [self.sep]
