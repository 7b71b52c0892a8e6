"""From one source's candidate Items to its output pairs and its part of report.json.

Steps, in this order, each drop counted by reason:
1. quality: document whitespace-normalized and cut at a word boundary to MAX_DOC_CHARS, dropped
   under MIN_DOC_WORDS words; query likewise cut to MAX_QUERY_CHARS (trailing " .:;," removed),
   dropped when empty or, except for the dictionary sources, under MIN_QUERY_WORDS words;
2. for python3-doc and info, a heading query used for several different documents is qualified
   with its page/program (`msgcat: Output file location`);
3. the exclusion rule (exclusion.py): excluded name, excluded query text, corpus document;
4. exact duplicates (normalized query and document) dropped, then every pair of a query that
   still points to several different documents;
5. a seeded sample (random.Random("<seed>:<source>")) when more than --max-per-source remain.
"""
import collections
import random
import time

from . import foldoc, info, man, python_doc, wordnet
from .common import (DICTIONARY_SOURCES, MAX_DOC_CHARS, MAX_QUERY_CHARS, MIN_DOC_WORDS,
                     MIN_QUERY_WORDS, log, norm_key, norm_ws, truncate)

QUALIFIED_SOURCES = ("python3-doc", "info")


def source_readers(corpus):
    """source name -> function(stats) yielding its Items (stats: the source's own counters)"""
    return {
        "wordnet": wordnet.wordnet_items, "foldoc": foldoc.foldoc_items,
        "python3-doc": python_doc.python_items, "info": info.info_items,
        "man": lambda stats: man.man_items(set(corpus), stats),
    }


def quality_filter(items, src, drop):
    """normalize and cut every query and document; the items long enough to keep"""
    kept = []
    for it in items:
        it.doc = truncate(norm_ws(it.doc), MAX_DOC_CHARS)
        it.query = truncate(norm_ws(it.query), MAX_QUERY_CHARS).rstrip(" .:;,")
        if len(it.doc.split()) < MIN_DOC_WORDS:
            drop["doc_under_%d_words" % MIN_DOC_WORDS] += 1
        elif not it.query or (src not in DICTIONARY_SOURCES and len(it.query.split()) < MIN_QUERY_WORDS):
            drop["query_under_%d_words" % MIN_QUERY_WORDS] += 1
        else:
            kept.append(it)
    return kept


def docs_per_query(items):
    """normalized query -> set of its normalized documents"""
    docs_of = collections.defaultdict(set)
    for it in items:
        docs_of[norm_key(it.query)].add(norm_key(it.doc))
    return docs_of


def qualify_ambiguous_headings(items, drop):
    """prefix a query used for several different documents with the item's context (in place)"""
    docs_of = docs_per_query(items)
    for it in items:
        if len(docs_of[norm_key(it.query)]) > 1 and it.context:
            it.query = truncate("%s: %s" % (it.context, it.query), MAX_QUERY_CHARS)
            drop["(kept) ambiguous_heading_qualified_with_page"] += 1


def apply_exclusion(items, excl, drop):
    """the items that pass the three exclusion rules, tried in order"""
    rest = []
    for it in items:
        if excl.name_hit(it):
            drop["excluded_name"] += 1
        elif excl.query_hit(it.query):
            drop["excluded_query_text"] += 1
        elif excl.doc_hit(it.doc):
            drop["doc_identical_to_corpus_doc"] += 1
        else:
            rest.append(it)
    return rest


def drop_duplicates(items, drop):
    """the first item of every (normalized query, normalized document)"""
    seen, uniq = set(), []
    for it in items:
        k = (norm_key(it.query), norm_key(it.doc))
        if k in seen:
            drop["duplicate_pair"] += 1
            continue
        seen.add(k)
        uniq.append(it)
    return uniq


def drop_ambiguous_queries(items, drop):
    """the items whose query points to one document only"""
    docs_of = docs_per_query(items)
    final = []
    for it in items:
        if len(docs_of[norm_key(it.query)]) > 1:
            drop["ambiguous_query_several_docs"] += 1
        else:
            final.append(it)
    return final


def sample(items, max_n, seed_text, drop):
    """at most max_n items, a seeded sample in their original order"""
    if len(items) <= max_n:
        return items
    idx = sorted(random.Random(seed_text).sample(range(len(items)), max_n))
    drop["sampled_out_over_max_per_source"] = len(items) - len(idx)
    return [items[i] for i in idx]


def source_counts(n_candidates, n_eligible, drop, final, stats):
    """the source's entry of report.json (without "seconds")"""
    c = collections.OrderedDict()
    c["candidates"] = n_candidates
    c["eligible"] = n_eligible
    c["dropped"] = dict(sorted(drop.items()))
    c["pairs"] = len(final)
    c["pairs_per_group"] = dict(sorted(collections.Counter(it.group for it in final).items()))
    c["mean_doc_words"] = round(sum(len(it.doc.split()) for it in final) / max(1, len(final)), 1)
    c["mean_query_words"] = round(sum(len(it.query.split()) for it in final) / max(1, len(final)), 2)
    c.update(stats)
    return c


def build_source(src, read_items, excl, max_per_source, seed):
    """(report entry, output Items) of one source; read_items(stats) yields its candidates"""
    t0 = time.time()
    log("%s: reading" % src)
    stats = collections.OrderedDict()
    items = list(read_items(stats))
    drop = collections.Counter()
    kept = quality_filter(items, src, drop)
    if src in QUALIFIED_SOURCES:
        qualify_ambiguous_headings(kept, drop)
    rest = apply_exclusion(kept, excl, drop)
    final = drop_ambiguous_queries(drop_duplicates(rest, drop), drop)
    n_eligible = len(final)
    final = sample(final, max_per_source, "%d:%s" % (seed, src), drop)
    c = source_counts(len(items), n_eligible, drop, final, stats)
    c["seconds"] = round(time.time() - t0, 1)
    log("%s: %d candidates -> %d pairs (%.0f s)" % (src, len(items), len(final), time.time() - t0))
    return c, final
