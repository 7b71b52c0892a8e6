"""Source `wordnet`: WordNet 3.0 (Debian package wordnet-base), lemma -> all its senses.

Reads /usr/share/wordnet/data.{noun,verb,adj,adv} (one synset per line: offset, lexicographer
file, type, word count in hex, word/lex-id pairs, pointers, then " | " and the gloss with its
examples; lines starting with two spaces are the licence header) and index.{noun,verb,adj,adv}
(one lemma per line: lemma, part of speech, synset count, pointer count, pointer symbols, sense
count, tagged sense count, synset offsets in sense order).

Pair: query = the lemma ('_' -> space); document = its senses in WordNet's sense order, grouped by
part of speech: `noun: 1. gloss; "example" (synonyms: a, b) 2. ... verb: 1. ...` (at most 6
synonyms per sense, the lemma itself left out of the synonym lists). Only lemmas with a sense seen
in WordNet's sense-tagged corpus (tagsense_cnt > 0: the common words) are used; the others are
counted in stats["lemmas_not_sense_tagged_skipped"].
"""
import os
import re

from .common import Item, need, norm_ws

WN_DIR = "/usr/share/wordnet"
WN_POS = [("noun", "noun"), ("verb", "verb"), ("adj", "adjective"), ("adv", "adverb")]
ADJ_MARKER_RE = re.compile(r"\([a-z]+\)$")      # adjective position marker: "galore(ip)"


def parse_data_line(line):
    """(synset offset, (words, gloss)) of one data.* line"""
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    n = int(fields[3], 16)
    words = [ADJ_MARKER_RE.sub("", w).replace("_", " ") for w in fields[4:4 + 2 * n:2]]
    return fields[0], (words, norm_ws(gloss))


def parse_index_line(line):
    """(lemma, tagged sense count, synset offsets in sense order) of one index.* line"""
    fields = line.split()
    lemma = fields[0].replace("_", " ")
    n_syn = int(fields[2])
    n_ptr = int(fields[3])
    tagged = int(fields[5 + n_ptr])
    return lemma, tagged, fields[6 + n_ptr:6 + n_ptr + n_syn]


def data_lines(path):
    """the lines of a data.* / index.* file without its licence header"""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("  "):
                yield line


def read_synsets(wn_dir):
    """(pos, offset) -> (words, gloss) for every part of speech"""
    synsets = {}
    for p, _ in WN_POS:
        for line in data_lines(os.path.join(wn_dir, "data." + p)):
            offset, synset = parse_data_line(line)
            synsets[(p, offset)] = synset
    return synsets


def senses_of(lemma, p, offsets, synsets):
    """[(synonyms other than the lemma, gloss)] of the lemma's synsets"""
    senses = []
    for off in offsets:
        words, gloss = synsets[(p, off)]
        syn = []
        for w in words:
            if w.lower() != lemma and w not in syn:
                syn.append(w)
        senses.append((syn, gloss))
    return senses


def read_entries(wn_dir, synsets):
    """lemma -> [[(pos label, senses), ...], seen in the sense-tagged corpus?]"""
    entries = {}
    for p, label in WN_POS:
        for line in data_lines(os.path.join(wn_dir, "index." + p)):
            lemma, tagged, offsets = parse_index_line(line)
            e = entries.setdefault(lemma, [[], False])
            e[0].append((label, senses_of(lemma, p, offsets, synsets)))
            e[1] = e[1] or tagged > 0
    return entries


def format_entry(blocks):
    """the document: 'noun: 1. gloss (synonyms: ...) 2. ... verb: 1. ...'"""
    parts = []
    for label, senses in blocks:
        ss = []
        for i, (syn, gloss) in enumerate(senses, 1):
            s = "%d. %s" % (i, gloss.rstrip("; "))
            if syn:
                s += " (synonyms: %s)" % ", ".join(syn[:6])
            ss.append(s)
        parts.append("%s: %s" % (label, " ".join(ss)))
    return " ".join(parts)


def wordnet_items(stats, wn_dir=WN_DIR):
    """Items of every sense-tagged lemma, in sorted lemma order"""
    for p, _ in WN_POS:
        need(os.path.join(wn_dir, "data." + p), "wordnet-base")
        need(os.path.join(wn_dir, "index." + p), "wordnet-base")
    entries = read_entries(wn_dir, read_synsets(wn_dir))
    n_untagged = 0
    for lemma in sorted(entries):
        blocks, tagged = entries[lemma]
        if not tagged:
            n_untagged += 1      # only lemmas seen in the sense-tagged corpus: common words
            continue
        yield Item("wordnet", lemma, format_entry(blocks), lemma, group="wordnet-base")
    stats["lemmas_not_sense_tagged_skipped"] = n_untagged
