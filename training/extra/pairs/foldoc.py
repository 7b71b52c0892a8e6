"""Source `foldoc`: the Free On-line Dictionary of Computing (Debian package dict-foldoc),
headword -> definition.

Reads the dictd index /usr/share/dictd/foldoc.index (one line per headword: headword, offset and
length in dictd's base64 digits, tab-separated; several headwords can point to the same entry;
the 00-database-* lines are dictd metadata) and the entries of foldoc.dict.dz (dictzip, which is
gzip-compatible). An entry is its headword and alias lines, a blank line, then the text.

Pair: query = the entry's first headword; document = the text with `{cross references}` unbraced,
`<category>` tags at the start of a line (or after a sense number) and `(YYYY-MM-DD)` revision
dates removed. The index headwords and the alias lines are the item's aliases. FOLDOC's
"Missing definition" note about itself is skipped. Entries come in (offset, length) order.
"""
import collections
import gzip
import re

from .common import Item, need, norm_ws

FOLDOC_DICT = "/usr/share/dictd/foldoc.dict.dz"
FOLDOC_INDEX = "/usr/share/dictd/foldoc.index"
B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
DATE_RE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")
CATEGORY_RE = re.compile(r"(?m)^(\s*(?:\d+\.\s*)?)<[^<>\n]{1,40}>\s*")


def b64num(s):
    """a dictd index number (base64 digits, most significant first)"""
    n = 0
    for c in s:
        n = n * 64 + B64[c]
    return n


def read_index(lines):
    """(offset, length) -> [headwords] of the index lines, in index order"""
    spans = collections.OrderedDict()
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3 or parts[0].startswith("00-database") or parts[0].startswith("00database"):
            continue
        spans.setdefault((b64num(parts[1]), b64num(parts[2])), []).append(parts[0])
    return spans


def clean_body(body):
    body = DATE_RE.sub("", body)                                 # revision dates
    body = CATEGORY_RE.sub(r"\1", body)                          # <category> tags
    body = body.replace("{", "").replace("}", "")                # {cross references}
    return norm_ws(body)


def entry_item(text, index_names):
    """the Item of one entry's text, or None for the "Missing definition" note"""
    header, _, body = text.strip("\n").partition("\n\n")        # headword and alias lines, then text
    names = [l.strip() for l in header.split("\n") if l.strip()]
    head = names[0]
    if head.lower() == "missing definition":                    # FOLDOC's note about itself
        return None
    aliases = list(index_names) + names
    return Item("foldoc", head, clean_body(body), head, aliases=aliases, group="dict-foldoc")


def foldoc_items(stats, dict_path=FOLDOC_DICT, index_path=FOLDOC_INDEX):
    """Items of every entry, in (offset, length) order"""
    need(dict_path, "dict-foldoc")
    need(index_path, "dict-foldoc")
    with gzip.open(dict_path) as f:                              # dictzip is gzip-compatible
        data = f.read()
    with open(index_path, encoding="utf-8", errors="replace") as f:
        spans = read_index(f)
    for (off, length), index_names in sorted(spans.items()):
        it = entry_item(data[off:off + length].decode("utf-8", "replace"), index_names)
        if it is not None:
            yield it
