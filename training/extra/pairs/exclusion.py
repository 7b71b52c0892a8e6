"""The exclusion rule: nothing that belongs to an excluded (held-out or dev) query may reach the
output.

Reads the man pages set (--manpages: corpus.jsonl, queries.jsonl, qrels.tsv) and the query id files
(--exclude-queries). For every excluded query id the set's qrels give its relevant pages (`1/ls`);
their names (after the '/', compared by `name_key`: case-insensitive, '_' = ' ') are the excluded
names, whatever their man section. An item is dropped, in this order, when

1. `excluded_name`: its name or any of its aliases (page/topic name, NAME-line names, the names of
   an info node's ancestors, a python page's module, ...) is an excluded name;
2. `excluded_query_text`: its query, normalized by `norm_key` (lowercase, punctuation -> space,
   whitespace collapsed), equals an excluded query's text, or contains it / is contained in it as
   whole words when both have at least CONTAIN_MIN_WORDS words;
3. `doc_identical_to_corpus_doc`: its document (same normalization) equals a corpus document.

`Exclusion.check_output` checks the final pairs against all three again before they are written.
"""
import collections
import json
import os

from .common import die, name_key, norm_key

CONTAIN_MIN_WORDS = 4


def load_manpages(folder):
    """(corpus id -> text, query id -> text, query id -> set of relevant page ids)"""
    for f in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not os.path.isfile(os.path.join(folder, f)):
            die("%s not found in --manpages %s" % (f, folder))
    corpus = read_jsonl_texts(os.path.join(folder, "corpus.jsonl"))
    queries = read_jsonl_texts(os.path.join(folder, "queries.jsonl"))
    qrels = collections.defaultdict(set)
    with open(os.path.join(folder, "qrels.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            q, d, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels[q].add(d)
    return corpus, queries, qrels


def read_jsonl_texts(path):
    """id ("_id" or "id") -> "text" of a jsonl file"""
    texts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            texts[d.get("_id", d.get("id"))] = d["text"]
    return texts


def read_query_ids(files, queries):
    """(query ids of the files that are in `queries`, number of ids that are not); '#' lines and
    blank lines are skipped"""
    qids = []
    unknown = 0
    for fn in files:
        if not os.path.isfile(fn):
            die("--exclude-queries file %s not found" % fn)
        with open(fn, encoding="utf-8") as f:
            for line in f:
                q = line.strip()
                if not q or q.startswith("#"):
                    continue
                if q in queries:
                    qids.append(q)
                else:
                    unknown += 1
    return qids, unknown


def word_runs(words, min_words):
    """every run of at least `min_words` consecutive words, joined by a space"""
    for i in range(len(words)):
        for j in range(i + min_words, len(words) + 1):
            yield " ".join(words[i:j])


class Exclusion:
    def __init__(self, qids, queries, qrels, corpus):
        self.names = set()        # name_key of every relevant page of an excluded query
        self.pages = set()
        texts = set()
        for q in qids:
            texts.add(norm_key(queries[q]))
            for d in qrels.get(q, ()):
                self.pages.add(d)
                self.names.add(name_key(d.split("/", 1)[1]))
        self.texts = texts
        self.long_texts = {t for t in texts if len(t.split()) >= CONTAIN_MIN_WORDS}
        # every run of >= 4 words of a long excluded query: "query is contained in it"
        self.sub_grams = set()
        for t in self.long_texts:
            self.sub_grams.update(word_runs(t.split(), CONTAIN_MIN_WORDS))
        self.corpus_docs = {norm_key(t) for t in corpus.values()}

    def name_hit(self, item):
        return bool(item.aliases & self.names) or name_key(item.name) in self.names

    def query_hit(self, query):
        k = norm_key(query)
        if k in self.texts:
            return True
        w = k.split()
        if len(w) < CONTAIN_MIN_WORDS:
            return False
        if k in self.sub_grams:                   # the pair's query is inside an excluded query
            return True
        # an excluded query is inside the pair's query
        return any(run in self.long_texts for run in word_runs(w, CONTAIN_MIN_WORDS))

    def doc_hit(self, doc):
        return norm_key(doc) in self.corpus_docs

    def check_output(self, items):
        """assert that no output item matches any of the three rules"""
        for it in items:
            assert not self.name_hit(it), "excluded name in output: %s %r" % (it.source, it.name)
            assert not self.query_hit(it.query), "excluded query text in output: %r" % it.query
            assert not self.doc_hit(it.doc), "corpus document in output: %r" % it.name
