"""Shared pieces of every source: the Item record, the limits of the common quality rules, text
normalization and truncation, progress logging and the check for a missing input file."""
import os
import re
import sys
import time

MAX_DOC_CHARS = 1500
MAX_QUERY_CHARS = 200
MIN_DOC_WORDS = 20
MIN_QUERY_WORDS = 2          # dictionary terms (wordnet, foldoc) are exempt
SOURCES = ["wordnet", "foldoc", "python3-doc", "info", "man"]
DICTIONARY_SOURCES = {"wordnet", "foldoc"}

WS_RE = re.compile(r"\s+")
PUNCT_RE = re.compile(r"[\W_]+")


def log(msg):
    """one progress line on stderr"""
    print("[build_pairs %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def die(msg):
    sys.exit("build_pairs: error: " + msg)


def need(path, package):
    """stop with the Debian package to install if `path` is missing"""
    if not os.path.exists(path):
        die("%s is missing: install the Debian package '%s' "
            "(training/extra/install.sh installs all of packages.txt)" % (path, package))


def norm_ws(s):
    return WS_RE.sub(" ", s).strip()


def norm_key(s):
    """lowercase, punctuation (and '_') -> space, whitespace collapsed: the comparison key"""
    return PUNCT_RE.sub(" ", s.lower()).strip()


def name_key(s):
    """page/topic name comparison: case-insensitive, '_' = ' ', whitespace collapsed"""
    return norm_ws(s.lower().replace("_", " "))


def truncate(text, limit):
    """cut at a word boundary to at most `limit` characters (as the man pages set's build.py)"""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    sp = cut.rfind(" ")
    if sp <= 0:
        return text[:limit]
    return cut[:sp].rstrip()


class Item:
    """one candidate pair; `aliases` holds the name_key of the name and of every alias"""
    __slots__ = ("source", "query", "doc", "name", "aliases", "group", "context")

    def __init__(self, source, query, doc, name, aliases=(), group="", context=""):
        self.source = source
        self.query = query
        self.doc = doc
        self.name = name
        self.aliases = {name_key(a) for a in aliases if a} | {name_key(name)}
        self.group = group        # package / manual / doc folder, for the report
        self.context = context    # qualifier for an ambiguous heading query
